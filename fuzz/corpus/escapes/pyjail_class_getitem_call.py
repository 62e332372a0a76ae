# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (no (), via __class_getitem__)
class _:
    pass

[[None for _.__class_getitem__ in [exec]], _["import os"]][True]
