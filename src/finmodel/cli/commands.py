"""Sub-commands of ``finmodel``. Each module defines ``HELP``, ``add_arguments(parser)``
and ``run(args) -> int``, and imports heavy libraries inside ``run`` only."""

#: Command names, in the order ``finmodel --help`` lists them. Add a module, then its name.
COMMANDS: tuple[str, ...] = ("run", "report", "simulate", "sensitivity", "table", "goal-seek",
                             "parties", "risks", "what-if", "compare", "check", "schema", "new",
                             "variance", "export")
