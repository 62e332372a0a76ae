# Compare product SKUs across searches with set operations and dict comprehensions.
a = {p["sku"] for p in search_products(query="monitor")}
b = {p["sku"] for p in search_products(query="keyboard")}
print("both:", sorted(a & b))
print("only monitor:", sorted(a - b))
stock = {sku: get_inventory(sku=sku) for sku in sorted(a | b)}
in_stock = {sku: n for sku, n in stock.items() if n > 0}
print(in_stock)
