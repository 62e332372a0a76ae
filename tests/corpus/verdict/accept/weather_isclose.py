# Compare a temperature with an expected value using math.isclose
import math
w = get_weather(city="Paris")
print(math.isclose(14.25, w["temperature_c"]), math.isclose(0.0, w["temperature_c"]))
