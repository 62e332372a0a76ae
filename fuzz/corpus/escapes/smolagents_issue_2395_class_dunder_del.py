# Source: https://github.com/huggingface/smolagents/issues/2395 (dunder methods in class definitions)
class Bomb:
    def __del__(self):
        print("runs on the host's GC")

b = Bomb()
