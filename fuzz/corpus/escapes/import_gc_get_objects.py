# Source: Jessica McKellar, Building and breaking a Python sandbox (https://docplayer.net/amp/10394216-Building-and-breaking-a-python-sandbox.html) (reach live objects through gc)
import gc
print([o for o in gc.get_objects() if isinstance(o, dict)][:1])
