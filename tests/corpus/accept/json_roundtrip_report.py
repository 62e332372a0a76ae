# Build a nested report, serialise it with json and read it back.
import json

report = {
    "weather": {c: get_weather(city=c)["conditions"] for c in ["Paris", "Tokyo"]},
    "rates": {"EURUSD": get_exchange_rate(base="EUR", quote="USD")},
    "flags": [True, False, None],
}
text = json.dumps(report, sort_keys=True)
back = json.loads(text)
print(text)
print(back == report, sorted(back))
