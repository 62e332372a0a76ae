# Total stock of the books across warehouses
skus = [p["sku"] for p in search_products(query="", category="books")]
total = 0
for s in skus:
    for wh in ["central", "east"]:
        total += check_inventory(sku=s, warehouse=wh)
print(total)
