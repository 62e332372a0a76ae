# Compare values of a dict literal with mixed value types
plan = {"name": "basic", "price": 9.5, "seats": 3}
if plan["price"] < 10:
    print(plan["name"], "is cheap, per seat:", round(plan["price"] / plan["seats"], 2))
