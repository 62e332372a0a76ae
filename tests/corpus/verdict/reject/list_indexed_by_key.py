# expect: CV702 a list result indexed with a str key
days = get_forecast(city="Paris")
print(days["high_c"])
