# Source: https://github.com/Laboratory-for-Energy-Systems-Analysis/edges/issues/31 (().__class__.__bases__[0].__subclasses__())
classes = ().__class__.__bases__[0].__subclasses__()
print(len(classes))
