# Source: Jessica McKellar, Building and breaking a Python sandbox (https://docplayer.net/amp/10394216-Building-and-breaking-a-python-sandbox.html); smolagents DANGEROUS_MODULES (https://github.com/huggingface/smolagents/issues/2094)
import os
os.system("id")
