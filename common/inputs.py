"""Reading numbers that arrive as text (ids in forms and query strings) the one safe way.

``str.isdigit`` accepts "²" and "٣", which ``int`` then refuses or reads as another number,
and an id of forty digits overflows SQLite's 64-bit integers. Every id a view reads from a
request goes through ``parse_id``.
"""

import re

MAX_ID = 2**63 - 1  # the largest value of a 64-bit database integer
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(text) -> int | None:
    """The positive integer ``text`` spells in ASCII digits, or None for anything else."""
    if not isinstance(text, str) or not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def parse_ids(texts) -> list[int]:
    """The valid ids among ``texts``, in order; the rest are left out."""
    return [value for value in map(parse_id, texts) if value is not None]
