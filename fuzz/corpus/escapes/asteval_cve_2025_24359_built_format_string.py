# Source: asteval CVE-2025-24359 (format string injection; see https://osv.dev/vulnerability/GHSA-89v8-rhwq-hf77); https://lucumr.pocoo.org/2016/12/29/careful-with-str-format/ (via https://github.com/pallets/jinja/pull/635)
fmt = "{0." + "__glo" + "bals__}"
print(fmt.format(call_tool))
