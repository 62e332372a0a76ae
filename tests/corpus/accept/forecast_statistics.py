# Summarise a 7-day forecast with mean, median and spread of the daily highs.
import statistics

days = get_forecast(city="Madrid", days=7)
highs = [d["high"] for d in days]
lows = [d["low"] for d in days]
print(f"mean high {statistics.mean(highs):.1f}, median high {statistics.median(highs):.1f}")
print(f"stdev of highs {statistics.stdev(highs):.2f}")
print(f"coldest night {min(lows)} on {min(days, key=lambda d: d['low'])['date']}")
rainy = [d["date"] for d in days if d["conditions"] == "rain"]
print("rainy days:", ", ".join(rainy) if rainy else "none")
