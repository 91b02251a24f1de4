"""The `configurator` command.

`configurator catalog ...` (spec section 4) needs only the engine; the app's
commands (`db`, `seed`, `serve`, ...) are registered by `cli_app`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from configurator import cli_catalog


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line, with exit status 2."""

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: error: {message}\n")


# `catalog` commands that only read a file: they need neither the app nor the database.
_ENGINE_ONLY = [["catalog", name] for name in ("check", "domains", "explain", "complete", "repair", "graph")]


def build_parser(with_app: bool = True) -> argparse.ArgumentParser:
    """The whole command tree; without `with_app`, only the `catalog` commands.

    The app's commands import the web app, the database and the job queue: a
    `catalog` command, which needs none of them, starts in a fraction of the time.
    """
    parser = OneLineParser(prog="configurator", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    commands.required = True
    cli_catalog.register(commands)
    if not with_app:
        return parser
    try:
        cli_app = importlib.import_module("configurator.cli_app")
    except ModuleNotFoundError as error:
        if error.name != "configurator.cli_app":
            raise
    else:
        cli_app.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(with_app=argv[:2] not in _ENGINE_ONLY)
    args = parser.parse_args(argv)
    try:
        status = args.handler(args)
    except KeyboardInterrupt:
        print("configurator: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
