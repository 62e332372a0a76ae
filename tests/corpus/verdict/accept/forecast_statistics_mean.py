# Mean and stdev of forecast highs
import statistics
highs = [d["high_c"] for d in get_forecast(city="Seattle", days=5)]
print(round(statistics.mean(highs), 2), round(statistics.pstdev(highs), 3))
