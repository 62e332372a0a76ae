# Value a stock portfolio and show each position's weight.
portfolio = {"AAPL": 10, "MSFT": 4, "NVDA": 2, "GOOG": 15}
prices = {symbol: get_stock_price(symbol=symbol) for symbol in portfolio}
values = {symbol: prices[symbol] * qty for symbol, qty in portfolio.items()}
total = sum(values.values())
for symbol, value in sorted(values.items(), key=lambda kv: kv[1], reverse=True):
    print(f"{symbol:<5} {value:>10,.2f} {value / total:>7.1%}")
print(f"total {total:,.2f}")
