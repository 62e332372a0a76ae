# Source: RestrictedPython CVE-2024-47532 / PYSEC-2024-186 (AttributeError.obj and the string module)
import string
try:
    string.no_such_name
except AttributeError as e:
    mod = e.obj
    print(mod._re.sys)
