# Names of VIP users
print(sorted(u["name"] for u in list_users() if u["vip"]))
