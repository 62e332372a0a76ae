# Convert a basket of amounts
basket = {"coffee": 4.5, "book": 29.0, "train": 61.25}
total = 0.0
for item, price in basket.items():
    eur = convert(amount=price, from_currency="USD", to_currency="EUR")
    total += eur
    print(f"{item}: {eur:.2f} EUR")
print(f"total: {total:.2f} EUR")
