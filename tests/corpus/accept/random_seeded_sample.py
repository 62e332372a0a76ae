# Draw a reproducible random sample of users with a seeded random generator.
import random

rng = random.Random(42)
ids = rng.sample(range(1, 51), 5)
for uid in sorted(ids):
    user = lookup_user(user_id=uid)
    if user is not None:
        print(uid, user["name"], user["country"])
print("shuffled:", rng.sample(["a", "b", "c", "d"], 4))
