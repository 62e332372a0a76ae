# Source: RestrictedPython Guards (from x import * is refused; https://restrictedpython.readthedocs.io/en/latest/usage/index.html)
from json import *
print(codecs)
