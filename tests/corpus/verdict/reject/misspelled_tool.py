# expect: CV602 a tool name with a typo
print(call_tool("get_wheather", city="Paris"))
