# An optional result with a default
p = call_tool("get_stock_price", symbol="TSLA") or 0.0
print(p + 1)
