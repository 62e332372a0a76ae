# expect: CV702 a str result indexed with a str key
s = send_report(to="a@example.com", subject="x", body="y")
print(s["status"])
