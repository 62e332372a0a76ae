# Total size over several keys
keys = ["a-b", "c-d-e", "f"]
print(sum(get_metadata(key=k)["size"] for k in keys))
