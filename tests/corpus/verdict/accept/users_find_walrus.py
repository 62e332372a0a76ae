# Walrus check of an optional result
if (u := find_user(email="guido@example.com")) is not None:
    print(u["name"], "vip" if u["vip"] else "regular")
