# Look up users by id, handling missing users, and email the VIPs.
sent = 0
for user_id in [7, 12, 99, 14]:
    user = lookup_user(user_id=user_id)
    if user is None:
        print(f"user {user_id} not found")
        continue
    if user["vip"]:
        if send_email(to=user["email"], subject="Thank you", body=f"Hello {user['name']}!"):
            sent += 1
    print(f"{user['name']} ({user['country']}) vip={user['vip']}")
print(f"emails sent: {sent}")
