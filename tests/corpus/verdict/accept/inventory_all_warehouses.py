# Stock of one SKU in every warehouse
for wh in ["central", "east", "west"]:
    n = call_tool("check_inventory", sku="B-100", warehouse=wh)
    print(wh, n)
