# The warehouse with the most units
stock = {wh: check_inventory(sku="E-300", warehouse=wh) for wh in ["central", "east", "west"]}
print(max(stock, key=stock.get), stock)
