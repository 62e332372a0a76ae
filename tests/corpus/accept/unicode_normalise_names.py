# Normalise accented names with unicodedata and build ASCII email slugs.
import string
import unicodedata

names = ["Zoë Ångström", "José Núñez", "Ærø Bjørn"]
allowed = set(string.ascii_lowercase + string.digits + ".")
for name in names:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = "".join(ch for ch in ascii_name.lower().replace(" ", ".") if ch in allowed)
    print(f"{name} -> {slug}@example.com")
