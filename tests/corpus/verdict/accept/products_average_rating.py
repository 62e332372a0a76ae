# Average rating of electronics
items = search_products(query="", category="electronics")
print(round(sum(p["rating"] for p in items) / len(items), 2))
