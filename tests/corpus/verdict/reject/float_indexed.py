# expect: CV702 a float result indexed like a dict
r = convert(amount=10.0, from_currency="USD", to_currency="EUR")
print(r["amount"])
