# Fetch stock prices, reporting unknown symbols instead of failing the whole program.
symbols = ["AAPL", "XXXX", "AMZN"]
prices: dict[str, float] = {}
errors: list[str] = []
for symbol in symbols:
    try:
        prices[symbol] = call_tool("get_stock_price", symbol=symbol)
    except ToolError as err:
        errors.append(f"{symbol}: {err.message}")
print(prices)
for line in errors:
    print("error", line)
