# expect: CV608 ** unpacking of a dict built at run time
args = {"to": "a@example.com", "subject": "x", "body": "y"}
print(call_tool("send_report", **args))
