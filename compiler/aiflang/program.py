"""The `aifc` program: the command line's entry point.

`aifc validate` of design files with no option (the run CI and editors make
most) goes straight to `aiflang.console.validate`, without importing click;
everything else (options, `--help`, `-` for stdin, other commands, shell
completion) goes to the click command line in `aiflang.cli`, whose `validate`
calls the same function, so both routes print the same bytes and exit the same.
"""

from __future__ import annotations

import sys

from aiflang.console import EXIT_INTERRUPTED, echo, guarded, plain_validate, validate


def run() -> None:
    """The `aifc` program, with the garbage collector off for the short run.

    A run lasts a fraction of a second and frees what it allocates by
    reference counting (the syntax model and design hold no cycles), so the
    cyclic garbage collector would only walk the same live objects again and
    again: about a tenth of a run. Tests call `aiflang.cli.main` and keep the
    collector.
    """
    import gc

    gc.disable()
    args = sys.argv[1:]
    if plain_validate(args):
        try:
            guarded(validate)(tuple(args[1:]))
        except KeyboardInterrupt:
            echo("\naifc: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
    from aiflang.cli import main

    main()
