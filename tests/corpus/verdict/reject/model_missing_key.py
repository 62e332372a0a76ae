# expect: CV702 a key the pydantic model does not have
o = get_order(order_id="A1")
print(o["customer"])
