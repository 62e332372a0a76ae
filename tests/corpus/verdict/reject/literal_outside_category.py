# expect: CV607 a category the tool does not offer
print(search_products(query="", category="toys"))
