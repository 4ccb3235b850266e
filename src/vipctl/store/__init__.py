"""Where the book is kept: the tables, the database object (SQLite file or PostgreSQL URL,
schema check, upgrades), the engine-specific code of each engine in one module, bulk upserts,
and backup, restore and check.

All SQL is SQLAlchemy's; ``sqlite`` and ``postgres`` hold what one engine alone needs. The
database object is the package's face: ``from vipctl.store import Database``.
"""

from vipctl.store.database import MIGRATIONS, Database, aside, default_path, resolve

__all__ = ["MIGRATIONS", "Database", "aside", "default_path", "resolve"]
