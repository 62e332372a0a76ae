# expect: CV602 an unknown tool in a batch
print(call_tools([("get_price", {"symbol": s}) for s in ["AAPL"]]))
