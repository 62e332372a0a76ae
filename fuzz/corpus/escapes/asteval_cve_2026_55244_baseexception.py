# Source: asteval CVE-2026-55244 / https://osv.dev/vulnerability/GHSA-89v8-rhwq-hf77 (BaseException subclasses escape)
try:
    pass
finally:
    raise KeyboardInterrupt
