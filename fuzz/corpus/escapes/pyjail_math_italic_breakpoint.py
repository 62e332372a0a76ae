# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (no ASCII letters: mathematical italic identifiers)
𝘣𝘳𝘦𝘢𝘬𝘱𝘰𝘪𝘯𝘵()
