"""`python -m aiflang`: the `aifc` command line."""

from aiflang.cli import run

if __name__ == "__main__":
    run()
