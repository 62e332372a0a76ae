# Convert 250 USD to EUR with the quoted rate
rate = call_tool("get_exchange_rate", base="USD", quote="EUR")
amount = 250 * rate["rate"]
print(f"250 USD = {amount:.2f} {rate['quote']}")
