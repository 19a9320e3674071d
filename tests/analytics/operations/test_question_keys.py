"""Questions grouped by key stay exact when two different questions share a key: the keys are made
to collide before storing, and the answers are compared with the texts counted one by one."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chatlytics.analytics.pain_points import fallback_questions, repeated_questions
from chatlytics.analytics.range import Window
from chatlytics.store.database import Database
from chatlytics.store.projections import records
from chatlytics.store.projections.questions import normalize, question_key
from tests.analytics.operations import expected
from tests.analytics.support import store
from tests.helpers import event

START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
WINDOW = Window(START.replace(tzinfo=None), (START + timedelta(days=1)).replace(tzinfo=None))


def collide(monkeypatch: pytest.MonkeyPatch, key: Callable[[str], int]) -> None:
    """Store the user messages written from now on with `key` instead of the real question key."""
    monkeypatch.setattr(records, "question_key", key)


def share(*questions: str) -> Callable[[str], int]:
    """A key under which the normalized `questions` collide; any other text keeps its own."""
    together = {normalize(q) for q in questions}
    return lambda text: 42 if normalize(text) in together else question_key(text)


def chat(asked: list[tuple[str, bool]], conversation: str, at: datetime) -> list[dict[str, Any]]:
    """A conversation: each question, then a reply that is a fallback when its flag says so."""
    made = []
    for n, (text, fails) in enumerate(asked):
        when = at + timedelta(seconds=10 * n)
        session = f"s-{conversation}"
        made.append(
            event("user_message", at=when, conversation=conversation, session=session, content=text)
        )
        made.append(
            event(
                "bot_response",
                at=when + timedelta(seconds=1),
                conversation=conversation,
                session=session,
                content="?",
                latency_ms=5.0,
                fallback=fails,
            )
        )
    return made


def asked(texts: list[str], fails: bool = False) -> list[dict[str, Any]]:
    """Each text in a conversation of its own, every minute of the window's first hours."""
    made = []
    for n, text in enumerate(texts):
        made += chat([(text, fails)], f"c{n}", START + timedelta(minutes=n))
    return made


def test_texts_sharing_a_key_are_counted_apart(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    collide(monkeypatch, share("apple", "pear"))
    store(db, asked(["Apple?"] * 3 + ["apple"] * 2 + ["pear"] * 3 + ["plum"] * 4, fails=True))
    with db.read() as conn:
        repeated = repeated_questions(conn, WINDOW, limit=1)
        by_fallback = fallback_questions(conn, WINDOW, limit=2).by_question
    # The shared key counts 8 and the next 4: apple's 5 is known to lead after the first batch.
    assert [(q.question, q.count, q.example) for q in repeated] == [("apple", 5, "Apple?")]
    assert [(q.question, q.count) for q in by_fallback] == [("apple", 5), ("plum", 4)]


def test_a_shared_key_pulls_the_next_batch(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared key counts 6 but holds two texts of 3: plum's 4, in the next batch, leads."""
    collide(monkeypatch, share("apple", "pear"))
    store(db, asked(["apple"] * 3 + ["pear"] * 3 + ["plum"] * 4 + ["fig"] * 2, fails=True))
    with db.read() as conn:
        repeated = repeated_questions(conn, WINDOW, limit=1)
        two = repeated_questions(conn, WINDOW, limit=2)
        by_fallback = fallback_questions(conn, WINDOW, limit=1).by_question
    assert [(q.question, q.count) for q in repeated] == [("plum", 4)]
    assert [(q.question, q.count) for q in two] == [("plum", 4), ("apple", 3)]
    assert [(q.question, q.count) for q in by_fallback] == [("plum", 4)]


def test_a_shared_key_below_two_of_each_is_not_repeated(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    collide(monkeypatch, share("apple", "pear"))
    store(db, asked(["apple", "pear"]))
    with db.read() as conn:
        assert repeated_questions(conn, WINDOW) == []


WORDS = ("ship", "canada", "refund", "size", "order", "Köln", "ÉTÉ", "42")
MARKS = ("", "?", "!!", "…", " ¿", "«»", "  ")


def _traffic(rng: random.Random) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Conversations of mostly distinct questions with some frequent ones in several wordings;
    the texts asked, and the question before each fallback (None: a fallback before any)."""
    frequent = [" ".join(rng.sample(WORDS, 3)) for _ in range(6)]
    made: list[dict[str, Any]] = []
    texts: list[str] = []
    before: list[str] = []
    for c in range(120):
        at = START + timedelta(minutes=5 * c)
        turns = []
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.4:
                text = rng.choice(frequent)
                text = rng.choice([text, text.upper(), text.title()]) + rng.choice(MARKS)
            else:
                text = f"{rng.choice(WORDS)} {rng.randint(1, 60)}{rng.choice(MARKS)}"
            turns.append((text, rng.random() < 0.4))
            texts.append(text)
            before += [text] if turns[-1][1] else []
        made += chat(turns, f"c{c}", at)
    return made, texts, before


@pytest.mark.parametrize("buckets", [None, 3, 50])
def test_mostly_distinct_questions_answer_as_the_texts_counted_one_by_one(
    db: Database, monkeypatch: pytest.MonkeyPatch, buckets: int | None
) -> None:
    """With the real keys, and with every key shared by many questions (`buckets` keys in all):
    each limit gives the texts counted one by one, ties and examples included."""
    if buckets is not None:
        collide(monkeypatch, lambda text: question_key(text) % buckets)
    made, texts, before = _traffic(random.Random(buckets))
    store(db, made)
    with db.read() as conn:
        for limit in (1, 2, 3, 5, 20, 100):
            repeated = [q.model_dump() for q in repeated_questions(conn, WINDOW, limit)]
            want = [q for q in expected.questions(texts) if q["count"] >= 2][:limit]
            assert repeated == want, limit
            fallbacks = fallback_questions(conn, WINDOW, limit)
            assert fallbacks.fallbacks == len(before)
            assert fallbacks.without_question == 0
            assert [q.model_dump() for q in fallbacks.by_question] == expected.questions(before)[
                :limit
            ], limit
