# expect: CV607 a value outside the Literal
print(check_inventory(sku="B-100", warehouse="north"))
