# A conversion table for several currencies
for cur in ["EUR", "GBP", "JPY"]:
    print(cur, [convert(amount=a, from_currency="USD", to_currency=cur) for a in [1, 10, 100]])
