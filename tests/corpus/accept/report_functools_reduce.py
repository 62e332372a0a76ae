# Combine order totals with functools.reduce and partial, and fractions for exact shares.
import functools
from fractions import Fraction


def share(part: float, whole: float) -> float:
    return round(100 * part / whole, 1)


totals = [o["total"] for o in list_orders(customer_id=21)]
grand = functools.reduce(lambda acc, x: acc + x, totals, 0.0)
print(f"orders: {len(totals)}, grand total {grand:.2f}")
if grand:
    pct = functools.partial(share, whole=grand)
    for t in totals:
        print(f"  {t:>8.2f} = {pct(t)}%")
print("one third as a fraction:", Fraction(1, 3) + Fraction(1, 6))
