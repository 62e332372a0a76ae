# expect: CV702 a key the TypedDict does not have
for u in list_users():
    print(u["phone"])
