# Check a rate against an expected value
import math
rate = get_exchange_rate(base="USD", quote="GBP")
print("as expected" if math.isclose(0.79, rate["rate"], rel_tol=1e-3) else "moved")
