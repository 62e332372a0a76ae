# expect: CV702 an int result indexed like a dict
n = check_inventory(sku="B-100")
print(n["units"])
