# A round trip through two currencies
there = get_exchange_rate(base="USD", quote="JPY")
back = get_exchange_rate(base="JPY", quote="USD")
print(round(there["rate"] * back["rate"], 4))
