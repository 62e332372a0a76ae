# Convert a basket of prices in several currencies into euros and total them.
basket = [("USD", 120.0), ("GBP", 80.5), ("JPY", 15000.0), ("EUR", 42.0)]
total = 0.0
for currency, amount in basket:
    rate = 1.0 if currency == "EUR" else get_exchange_rate(base=currency, quote="EUR")
    converted = amount * rate
    total += converted
    print(f"{amount:>10.2f} {currency} = {converted:>8.2f} EUR")
print(f"total: {round(total, 2)} EUR")
