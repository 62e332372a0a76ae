# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (spawning a shell: breakpoint)
breakpoint()
