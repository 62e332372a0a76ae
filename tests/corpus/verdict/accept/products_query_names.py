# Names of products matching a query
print([p["name"] for p in search_products(query="python")])
