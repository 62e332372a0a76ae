# Plan a multi-city itinerary: weather per stop and flights between consecutive stops.
stops = [("CDG", "Paris"), ("MAD", "Madrid"), ("LHR", "London")]
for i, (code, city) in enumerate(stops):
    w = get_weather(city=city)
    print(f"stop {i + 1}: {city} ({w['conditions']}, {w['temperature']} C)")
    if i + 1 < len(stops):
        nxt = stops[i + 1][0]
        flights = search_flights(origin=code, destination=nxt, date="2024-10-0" + str(i + 1))
        cheapest = min(flights, key=lambda f: f["price"])
        print(f"  fly {cheapest['flight_number']} to {nxt} at {cheapest['departure']} ({cheapest['price']:.0f})")
