"""What people and scripts read: tables, cards, JSON and CSV (``render``), documents of sections
(``layout``), and each command family's screens: the agenda's lists, tiers, the visit brief,
the report's formats, the calendar file.

Views receive data and never open the database: a test holds every module here to importing
no SQLAlchemy. May import: ``rules``, ``safety``, ``contract``, ``kinds``, ``config``.
"""
