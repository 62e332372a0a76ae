# expect: CV701 an int variable passed as a str parameter
days = 3
print(get_weather(city=days))
