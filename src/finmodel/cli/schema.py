"""``finmodel schema``: the JSON Schema of scenario files, for editors and CI."""

from __future__ import annotations

import argparse
import json
import sys

HELP = ("print the JSON Schema of scenario files (for editors with a YAML language "
        "server: completion and checks of keys)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(args: argparse.Namespace) -> int:
    from finmodel.model.schema import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")
    return 0
