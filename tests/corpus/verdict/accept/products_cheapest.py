# The cheapest book
books = call_tool("search_products", query="", category="books")
cheapest = min(books, key=lambda p: p["price"])
print(cheapest["name"], cheapest["price"])
