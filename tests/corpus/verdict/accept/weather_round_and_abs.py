# Absolute difference from 20 C, rounded
for c in ["Oslo", "Cairo", "Paris"]:
    t = get_weather(city=c)["temperature_c"]
    print(c, round(abs(t - 20), 1))
