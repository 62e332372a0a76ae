# Parse CSV text of user ids with the csv module and look each user up.
import csv

text = "user_id,note\n3,call back\n60,unknown\n21,renewal\n"
rows = list(csv.DictReader(text.splitlines()))
for row in rows:
    user = lookup_user(user_id=int(row["user_id"]))
    who = user["name"] if user is not None else "(missing)"
    print(f"{row['user_id']:>3} {who:<10} {row['note']}")
