"""vipctl: whom to contact today, why, and how urgently."""

__version__ = "0.1.0"
