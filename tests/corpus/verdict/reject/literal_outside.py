# expect: CV607 a value outside the Enum (Warehouse: central, east, west)
print(check_inventory(sku="B-100", warehouse="north"))
