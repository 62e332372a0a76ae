# expect: CV607 an int where the tool takes a str
print(get_weather(city=12345))
