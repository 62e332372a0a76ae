# expect: CV607 a str amount
print(convert(amount="100", from_currency="USD", to_currency="EUR"))
