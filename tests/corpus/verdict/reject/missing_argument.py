# expect: CV604 a required argument is missing
r = call_tool("get_exchange_rate", base="USD")
print(r["rate"])
