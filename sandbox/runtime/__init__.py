"""The guest runtime: what the program sees inside the sandbox, and the guards around it.

These modules run inside the WebAssembly guest (CPython 3.14 built by componentize-py), not on
the host. `guest.py` (one level up) is the component's entry point.
"""
