# Prices with tax, sorted
items = search_products(query="", max_results=10)
rows = sorted((p["price"] * 1.2, p["name"]) for p in items)
for price, name in rows:
    print(f"{name:15} {price:8.2f}")
