# expect: CV604 send_report without a body
print(send_report(to="a@example.com", subject="hi"))
