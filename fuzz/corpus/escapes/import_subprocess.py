# Source: smolagents CVE-2025-9959, class hierarchy walk to subprocess.Popen (https://github.com/huggingface/smolagents/issues/2125) (subprocess directly)
import subprocess
print(subprocess.check_output(["id"]))
