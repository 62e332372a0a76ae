# The currency with the highest rate against USD
rates = {}
for q in ["EUR", "GBP", "CHF"]:
    rates[q] = get_exchange_rate(base="USD", quote=q)["rate"]
best = max(rates, key=rates.get)
print(best, rates[best])
