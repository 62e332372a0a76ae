# expect: CV608 call_tools pairs whose arguments are not dict literals
reqs = [{"city": c} for c in ["Paris", "Oslo"]]
print(call_tools([("get_weather", r) for r in reqs]))
