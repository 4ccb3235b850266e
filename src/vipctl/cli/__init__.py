"""The command line: ``vipctl`` and its commands, one module per command family, wiring only.

May import everything else, lazily: each command imports what it uses when it runs, so that
``vipctl --help`` starts fast.
"""

from vipctl.cli.main import app, main

__all__ = ["app", "main"]
