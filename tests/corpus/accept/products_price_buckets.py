# Sort product prices into buckets with bisect.
import bisect

edges = [10.0, 50.0, 100.0]
labels = ["under 10", "10-50", "50-100", "100+"]
buckets: dict[str, list[str]] = {label: [] for label in labels}
for query in ["lamp", "desk", "chair"]:
    for p in search_products(query=query):
        buckets[labels[bisect.bisect_right(edges, p["price"])]].append(p["name"])
for label in labels:
    print(f"{label:>9}: {len(buckets[label])}")
