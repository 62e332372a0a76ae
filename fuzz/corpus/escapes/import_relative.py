# Source: RestrictedPython Guards (relative imports reach the host package; https://restrictedpython.readthedocs.io/en/latest/usage/index.html)
from . import tools
print(tools)
