"""The question key of a user message: a 64-bit hash of its normalized text, stored at write time so
that questions are grouped by an integer in the database instead of by their text in Python."""

from __future__ import annotations

import functools
import hashlib
import sys
import unicodedata


@functools.cache
def _punctuation() -> dict[int, None]:
    # Built once, on first use: every code point of a Unicode category P* (about 800), deleted.
    return {
        point: None
        for point in range(sys.maxunicode + 1)
        if unicodedata.category(chr(point)).startswith("P")
    }


def normalize(text: str) -> str:
    """Lower-case, punctuation (Unicode categories P*) removed, white space trimmed and collapsed to
    single spaces."""
    return " ".join(text.lower().translate(_punctuation()).split())


def question_key(text: str) -> int:
    """The signed 64-bit key (BLAKE2b, 8 bytes) of `text`'s normalized form: equal for texts that
    normalize alike and, unlike `hash`, the same in every process."""
    digest = hashlib.blake2b(
        normalize(text).encode("utf-8", "surrogatepass"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)
