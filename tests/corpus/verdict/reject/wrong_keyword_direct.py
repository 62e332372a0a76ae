# expect: CV603 a misspelled keyword on a typed tool name
print(get_forecast(city="Paris", day=3))
