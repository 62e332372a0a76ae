# Format lines with str.format on literal templates that have no attribute or item fields.
template = "{:<10} {:>8.2f} {}"
for symbol in ["AAPL", "MSFT"]:
    price = get_stock_price(symbol=symbol)
    print(template.format(symbol, price, "USD"))
print("{} stocks priced".format(2))
print("{name} has {n} orders".format(name="customer 4", n=len(list_orders(customer_id=4))))
