# Geocode addresses and compute great-circle distances between them with math.
import itertools
import math


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


places = [geocode(address=a) for a in ["1 Main St", "22 High St", "5 Rue de Rivoli"]]
for a, b in itertools.combinations(places, 2):
    d = haversine(a["lat"], a["lon"], b["lat"], b["lon"])
    print(f"{a['address']} -> {b['address']}: {d:,.0f} km")
