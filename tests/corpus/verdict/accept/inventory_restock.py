# SKUs that need restocking in the central warehouse
low = []
for p in search_products(query=""):
    if check_inventory(sku=p["sku"]) < 5:
        low.append(p["sku"])
print(low)
