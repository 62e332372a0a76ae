# The most expensive known stock
prices = {}
for s in ["AAPL", "MSFT", "NVDA"]:
    p = get_stock_price(symbol=s)
    if p is not None:
        prices[s] = p
print(max(prices, key=prices.get))
