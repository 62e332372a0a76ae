# expect: CV704 an X | None result indexed without a None check
user = find_user(email="ada@example.com")
print(user["name"])
