# Source: RestrictedPython CVE-2025-22153 (try/except* type confusion, https://ubuntu.com/security/cves?package=restrictedpython)
try:
    raise ExceptionGroup("g", [ValueError("v")])
except* ValueError as eg:
    tb = eg.__traceback__
    print(tb.tb_frame.f_globals)
