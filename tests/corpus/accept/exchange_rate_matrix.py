# Build a small cross-rate table between four currencies with nested comprehensions.
codes = ["USD", "EUR", "GBP", "CHF"]
table = {b: {q: (1.0 if b == q else call_tool("get_exchange_rate", base=b, quote=q)) for q in codes} for b in codes}
print("      " + "".join(f"{q:>9}" for q in codes))
for b in codes:
    print(f"{b:<6}" + "".join(f"{table[b][q]:>9.4f}" for q in codes))
