# Product counts per category, looping over category names
for cat in ["books", "electronics", "garden"]:
    found = call_tool("search_products", query="", category=cat)
    print(cat, len(found))
