# Look up a user and handle the None answer
for email in ["ada@example.com", "nobody@example.com"]:
    user = call_tool("find_user", email=email)
    if user is None:
        print(email, "not found")
    else:
        print(user["name"], user["country"])
