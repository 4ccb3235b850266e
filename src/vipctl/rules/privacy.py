"""Masking of personal numbers: clients expect their affairs kept strictly confidential, and a
screen, a terminal log or a mailed report is read by more eyes than the agent's."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise the number, not enough to dial it."""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id(number: str) -> str:
    """Region code and last four kept; the birth date in the middle is hidden."""
    if len(number) < 11:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask(column: str, value: str) -> str:
    return mask_id(value) if column == "id_number" else mask_phone(value)
