# Source: smolagents DANGEROUS_MODULES: builtins (https://github.com/huggingface/smolagents/issues/2094)
import builtins
builtins.exec("import os")
