# Source: https://github.com/lmfit/asteval/issues/86 (print.__reduce__ gives getattr)
red = print.__reduce__()
getattr_fn = red[0]
print(getattr_fn)
