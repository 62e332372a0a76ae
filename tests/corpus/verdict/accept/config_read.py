# Read a dict[str, Any] configuration
cfg = call_tool("get_config")
print(cfg["region"], cfg["retries"] * cfg["timeout_s"], len(cfg["features"]))
