# A summary table of mixed-type rows, sorted by a field
rows = []
for u in list_users():
    rows.append({"name": u["name"], "len": len(u["email"]), "vip": u["vip"]})
rows.sort(key=lambda r: r["len"])
for r in rows:
    print(r["name"], r["len"])
