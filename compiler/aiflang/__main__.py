"""`python -m aiflang`: the `aifc` command line."""

from aiflang.program import run

if __name__ == "__main__":
    run()
