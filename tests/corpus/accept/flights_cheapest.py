# Find the cheapest direct flight between two airports over three dates.
dates = ["2024-07-01", "2024-07-02", "2024-07-03"]
candidates = []
for date in dates:
    for flight in search_flights(origin="CDG", destination="JFK", date=date):
        if flight["stops"] == 0:
            candidates.append(flight)
if candidates:
    best = min(candidates, key=lambda f: (f["price"], f["departure"]))
    print(f"cheapest direct: {best['flight_number']} on {best['date']} at {best['departure']} for {best['price']:.0f}")
else:
    print("no direct flights")
print(f"{len(candidates)} direct flights considered")
