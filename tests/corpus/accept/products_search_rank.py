# Rank products by a score combining rating and price.
def score(rating: float, price: float) -> float:
    return round(rating * 10 - price / 20, 2)


products = search_products(query="wireless headphones", max_results=6)
ranked = sorted(products, key=lambda p: score(p["rating"], p["price"]), reverse=True)
for rank, p in enumerate(ranked, start=1):
    print(f"{rank}. {p['name']:<24} {p['price']:>7.2f} rating {p['rating']} score {score(p['rating'], p['price'])}")
