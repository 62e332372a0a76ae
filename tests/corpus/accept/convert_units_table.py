# Print a distance conversion table using the unit conversion tool.
distances_km = [1.0, 5.0, 10.0, 21.0975, 42.195]
print(f"{'km':>8} {'mi':>8} {'ft':>10}")
for km in distances_km:
    mi = convert_units(value=km, from_unit="km", to_unit="mi")
    ft = convert_units(value=km, from_unit="km", to_unit="ft")
    print(f"{km:>8.3f} {mi:>8.3f} {ft:>10.0f}")
