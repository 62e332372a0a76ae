# Keep the three cheapest flights across several routes using heapq.
import heapq

routes = [("CDG", "NRT"), ("CDG", "HND"), ("ORY", "NRT")]
all_flights = []
for origin, destination in routes:
    all_flights.extend(search_flights(origin=origin, destination=destination, date="2024-09-01"))
for f in heapq.nsmallest(3, all_flights, key=lambda f: f["price"]):
    print(f"{f['origin']}->{f['destination']} {f['flight_number']} {f['price']}")
