# Fetch several stock prices in one batch and print them as JSON.
import json

symbols = ["AAPL", "MSFT", "GOOG"]
prices = call_tools([("get_stock_price", {"symbol": s}) for s in symbols])
print(json.dumps(dict(zip(symbols, prices)), indent=2, sort_keys=True))
