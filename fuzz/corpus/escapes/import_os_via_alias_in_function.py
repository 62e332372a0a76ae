# Source: Jessica McKellar, Building and breaking a Python sandbox (https://docplayer.net/amp/10394216-Building-and-breaking-a-python-sandbox.html) (import hidden inside a helper)
def helper():
    import os as o
    return o.environ

print(helper())
