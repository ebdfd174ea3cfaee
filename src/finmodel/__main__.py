"""``python -m finmodel``: the ``finmodel`` command."""

import sys

from finmodel.cli import main

sys.exit(main())
