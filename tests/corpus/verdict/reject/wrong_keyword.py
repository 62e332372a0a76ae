# expect: CV603 a keyword the tool does not have
w = call_tool("get_weather", town="Paris")
print(w)
