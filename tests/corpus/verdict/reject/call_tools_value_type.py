# expect: CV701 a call_tools pair whose dict literal carries an int where the tool takes a str
results = call_tools([("get_weather", {"city": c}) for c in [1, 2]])
print(results)
