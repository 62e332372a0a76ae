# Source: Jessica McKellar, Building and breaking a Python sandbox (https://docplayer.net/amp/10394216-Building-and-breaking-a-python-sandbox.html) (object.__subclasses__)
print(object.__subclasses__())
