# Average temperature over cities
cities = ["Seattle", "Amsterdam", "Paris"]
total = 0.0
for c in cities:
    total += get_weather(city=c)["temperature_c"]
print(round(total / len(cities), 2))
