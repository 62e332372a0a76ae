# Highest high over the forecast days
days = get_forecast(city="Paris", days=4)
highs = [d["high_c"] for d in days]
print(max(highs), min(highs))
