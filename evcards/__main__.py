"""`python -m evcards` and the `evcards` command: start the CLI with the garbage collector idle.

Importing Typer and the CLI builds some 25,000 container objects (modules, classes, functions,
their dicts) that live until exit, and the collector walked them again at every collection and
once more at exit: about 15 ms CPU of a 110 ms `evcards search`. Nothing is collected while
importing; what the imports built is then frozen (`gc.freeze`), so later collections, which the
commands still get, skip it.
"""

import gc


def main() -> None:
    gc.disable()
    try:
        from evcards.cli import main as cli_main
    finally:
        gc.freeze()
        gc.enable()
    cli_main()


if __name__ == "__main__":
    main()
