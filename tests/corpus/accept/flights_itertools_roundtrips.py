# Pair outbound and return flights with itertools.product and keep the cheapest round trips.
import itertools

outbound = search_flights(origin="LHR", destination="MAD", date="2024-08-10")
inbound = search_flights(origin="MAD", destination="LHR", date="2024-08-17")
trips = [(o, r, o["price"] + r["price"]) for o, r in itertools.product(outbound, inbound)]
trips.sort(key=lambda t: t[2])
for o, r, price in trips[:3]:
    print(f"{o['flight_number']} + {r['flight_number']}: {price:.2f}")
