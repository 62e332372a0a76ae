# expect: CV608 * unpacking of a list built at run time
args = ["USD", "EUR"]
print(get_exchange_rate(*args))
