"""What vipctl reads and keeps about the book, beyond the rows imported: read-side queries and
the values the import warned of (``queries``), tiers and segments kept in step (``assessing``),
the needs analysis' reads (``reviewing``) and the export.

May import: ``rules`` and ``store``.
"""
