# A tool failure caught as ToolError
try:
    r = get_exchange_rate(base="USD", quote="XYZ")
    print(r["rate"])
except ToolError as e:
    print("failed:", e.tool)
