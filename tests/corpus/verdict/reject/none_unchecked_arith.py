# expect: CV704 an X | None result used in arithmetic without a check
price = call_tool("get_stock_price", symbol="AAPL")
print(price * 10)
