# One batch over warehouses, the warehouse names in a list (str into a Literal parameter)
names = ["central", "east", "west"]
counts = call_tools([("check_inventory", {"sku": "G-500", "warehouse": w}) for w in names])
print(dict(zip(names, counts)))
