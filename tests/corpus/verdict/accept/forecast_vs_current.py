# Forecast high versus the current temperature
now = get_weather(city="Amsterdam")["temperature_c"]
for d in get_forecast(city="Amsterdam", days=3):
    delta = d["high_c"] - now
    print(d["day"], f"{delta:+.1f}")
