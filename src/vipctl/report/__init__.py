"""The daily report for cron: what it says (``daily``, shaped as one JSON-ready dict) and one
run of it (``job``: made under a lock, delivered, and only then recorded).

May import: ``agenda``, ``book``, ``store``, ``views`` (to lay the report out) and the
top-level modules.
"""
