# The coldest city with min(key=...)
cities = ["Seattle", "Amsterdam", "Oslo"]
temps = {c: get_weather(city=c)["temperature_c"] for c in cities}
print("coldest:", min(temps, key=temps.get))
