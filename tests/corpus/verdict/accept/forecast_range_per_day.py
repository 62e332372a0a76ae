# Daily temperature range from a list[dict] result
for d in call_tool("get_forecast", city="Oslo", days=3):
    print(f"day {d['day']}: range {d['high_c'] - d['low_c']:.1f}")
