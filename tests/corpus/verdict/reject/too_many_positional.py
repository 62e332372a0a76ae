# expect: CV605 more positional arguments than the tool takes
print(get_weather("Paris", "metric"))
