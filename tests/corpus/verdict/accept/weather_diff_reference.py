# The reference provider's task as a model writes it: the difference of two temperatures
seattle = call_tool("get_weather", city="Seattle")
amsterdam = call_tool("get_weather", city="Amsterdam")
diff = seattle["temperature_c"] - amsterdam["temperature_c"]
print(f"Seattle {seattle['temperature_c']}, Amsterdam {amsterdam['temperature_c']}, diff {diff:+.1f}")
