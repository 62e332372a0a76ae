# Count the days with a high over 12 C
days = get_forecast(city="Seattle", days=5)
warm = [d for d in days if d["high_c"] > 12]
print(len(warm), [d["day"] for d in warm])
