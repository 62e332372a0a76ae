# Convert an invoice with Decimal arithmetic and banker's rounding.
from decimal import ROUND_HALF_EVEN, Decimal

rate = Decimal(str(get_exchange_rate(base="USD", quote="EUR")))
lines = [Decimal("19.99"), Decimal("5.01"), Decimal("100.00")]
converted = [(amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) for amount in lines]
for original, eur in zip(lines, converted):
    print(f"{original} USD -> {eur} EUR")
print("total:", sum(converted, Decimal("0")))
