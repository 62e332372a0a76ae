# expect: CV704 an X | None result indexed straight from the call
print(call_tool("find_user", email="ada@example.com")["email"])
