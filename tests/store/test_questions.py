"""The question key: `normalize` gives what the code-point-by-code-point definition gives, for any
text, and the key is a signed 64-bit integer shared exactly by texts that normalize alike."""

from __future__ import annotations

import random
import sys
import unicodedata

from chatlytics.store.projections.questions import normalize, question_key

# Every code point of a punctuation category, and letters, marks, digits, symbols and spaces
# (combining marks, the odd white space, letters whose lower case is longer or punctuation-like).
PUNCTUATION = [
    chr(p) for p in range(sys.maxunicode + 1) if unicodedata.category(chr(p)).startswith("P")
]
OTHERS = list(
    "aZéÉßİĲΣ\u03c3ςǅ\u0130ǰ09٣€$+<=>^`|~©\u0300\u0301\u0345\u20dd\u00a0\u1680\u2000\u2028\u2029"
    "\u202f\u205f\u3000\u0085\u001c\u001f\t\n\v\f\r \u200b\ufeff\u00ad\U0001f600\U0001d400"
)


def defined(text: str) -> str:
    """The definition as first written: one category test per code point."""
    kept = "".join(ch for ch in text.lower() if not unicodedata.category(ch).startswith("P"))
    return " ".join(kept.split())


def test_normalize_equals_the_definition_on_generated_text() -> None:
    rng = random.Random(5)
    alphabet = PUNCTUATION + OTHERS * 20
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(20_000)]
    texts += [
        "".join(chr(rng.randrange(sys.maxunicode + 1)) for _ in range(30)) for _ in range(5000)
    ]
    texts += PUNCTUATION + OTHERS + ["", " ", "  Do you   SHIP to Canada!! ", "where is my order…"]
    for text in texts:
        assert normalize(text) == defined(text), ascii(text)


def test_every_punctuation_category_is_removed() -> None:
    categories = {unicodedata.category(ch) for ch in PUNCTUATION}
    assert categories == {"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"}
    assert normalize("".join(PUNCTUATION)) == ""


def test_keys_are_signed_64_bit_and_follow_the_normalized_text() -> None:
    assert question_key("Do you ship to Canada?") == question_key("  do YOU ship to canada ")
    assert question_key("Do you ship to Canada?") != question_key("Do you ship to Mexico?")
    keys = {question_key(f"question {n}") for n in range(10_000)}
    assert len(keys) == 10_000
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert min(keys) < 0 < max(keys)
    # Stable from one process (and release) to the next: a stored key must never change.
    assert question_key("Where is my order?") == question_key("where is my order")
    assert question_key("Where is my order?") == -8601790506813692449
    assert question_key("") == int.from_bytes(bytes.fromhex("e4a6a0577479b2b4"), "big", signed=True)
