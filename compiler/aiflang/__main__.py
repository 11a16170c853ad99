"""`python -m aiflang`: the `aifc` command line."""

from aiflang.cli import main

if __name__ == "__main__":
    main()
