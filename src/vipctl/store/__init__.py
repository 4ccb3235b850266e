"""Where the book is kept: the tables, the database object (SQLite file or PostgreSQL URL,
schema check, upgrades), the engine-specific code of each engine in one module, bulk upserts,
the tables derived from the rows and kept in step with them (``tracking``: each policy's unpaid
premium, departed agents; an upgrade works them out again in its own transaction), the change
journal, and backup, restore and check.

May import: ``rules`` and the top-level modules, never what stands above it.

All SQL is SQLAlchemy's; ``sqlite`` and ``postgres`` hold what one engine alone needs. The
database object is the package's face: ``from vipctl.store import Database``.
"""

from vipctl.store.database import MIGRATIONS, Database, aside, default_path, resolve

__all__ = ["MIGRATIONS", "Database", "aside", "default_path", "resolve"]
