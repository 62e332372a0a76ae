# Mix tool results with math and cmath: roots, isclose and fsum.
import cmath
import math

rate = get_exchange_rate(base="GBP", quote="USD")
inverse = get_exchange_rate(base="USD", quote="GBP")
print("consistent:", math.isclose(rate * inverse, 1.0, rel_tol=1e-4))
values = [convert_units(value=1.0, from_unit="mi", to_unit="km") for _ in range(3)]
print(f"fsum: {math.fsum(values):.6f}")
root = cmath.sqrt(-rate)
print(f"sqrt(-rate) = {root.real:.3f}{root.imag:+.3f}j")
