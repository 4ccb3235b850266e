"""What vipctl reads and keeps about the book, beyond the rows imported: read-side queries,
tiers and segments kept in step (``assessing``), each policy's unpaid premium and departed
agents (``tracking``), the needs analysis' reads (``reviewing``) and the export.

May import: ``rules`` and ``store``.
"""
