# ruff: noqa
# Finding 01 (MEDIUM, verifier escape): a profile's `[names] sandbox` list (the helpers a program
# may use) is enforced only by the undefined-name rule CV104, which counts a name bound ANYWHERE
# as defined. Binding `read_text` inside a function (or a comprehension variable, a default-valued
# parameter, a `for` target) makes the module-level `read_text(...)` pass; the guest gives every
# program every ABI helper whatever the profile, so the call reaches the real helper. mypy does
# not catch it either: the typed stub it checks against declares all helpers, not the profile's.
# Layer beaten: verifier (grammar `strict` excludes read_text/write_text/list_dir/http_*). The
# host's mounts and domain allow-list still apply (no capability beyond the host's config).
#
#   $ codeact-verify check docs/redteam/01_strict_helper_via_other_scope.py --grammar strict
#   expected: rejected (read_text / http_get are not helpers of the strict profile)
#   actual (main 10a659e): ok, exit 0; `run --grammar strict --mount DIR:/data:ro` reads the file,
#   and `print(http_get)` prints <function http_get at 0x...>.
#   `print(read_text("/data/x"))` alone is rejected (CV104), as it should be.
#
# Fix (red3): CV105 refuses an ABI helper name that the profile does not list, wherever it
# appears (load or store), like CV103 for denied builtins. Defence in depth left to do: the
# guest's globals and the mypy stub should carry only the profile's helpers.
def hide():
    read_text = 1
    http_get = 1
    return read_text + http_get


print(read_text("/data/secret.txt"))
print(http_get)
