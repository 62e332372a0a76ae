# Prices of a portfolio, skipping unknown symbols
holdings = {"AAPL": 10, "MSFT": 5, "XXXX": 3}
value = 0.0
for symbol, qty in holdings.items():
    price = get_stock_price(symbol=symbol)
    if price is None:
        print("no price for", symbol)
        continue
    value += price * qty
print(f"portfolio: {value:.2f}")
