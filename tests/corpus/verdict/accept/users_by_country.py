# Users grouped by country
groups = {}
for u in list_users():
    groups.setdefault(u["country"], []).append(u["name"])
for country in sorted(groups):
    print(country, groups[country])
