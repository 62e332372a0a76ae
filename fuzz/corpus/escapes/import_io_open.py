# Source: smolagents DANGEROUS_MODULES: io (https://deepwiki.com/huggingface/smolagents/5.4-security-best-practices)
import io
print(io.open("/etc/passwd").read())
