# Group existing users by country with itertools.groupby.
import itertools
from operator import itemgetter

users = []
for uid in range(1, 16):
    u = lookup_user(user_id=uid)
    if u is not None:
        users.append(u)
users.sort(key=itemgetter("country"))
for country, group in itertools.groupby(users, key=itemgetter("country")):
    names = [u["name"] for u in group]
    print(f"{country}: {len(names)} users ({', '.join(names[:3])}...)")
