# Tags from a bare-dict result
meta = get_metadata(key="red-green-red")
print(meta["tags"], meta["size"] * 2)
