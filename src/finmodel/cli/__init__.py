"""The ``finmodel`` command (a front end). Each sub-command is a module of this package that
defines ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``."""

from finmodel.cli.main import main

__all__ = ["main"]
