"""A span without an end event times out exactly SESSION_TIMEOUT_MINUTES after its last event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chatlytics.analytics.conversations import conversation_figures
from chatlytics.analytics.range import Window
from chatlytics.analytics.sessions import session_figures
from chatlytics.analytics.status import Clock
from chatlytics.analytics.users import user_detail
from chatlytics.store.database import Database
from tests.analytics.support import store
from tests.helpers import event

T0 = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
LAST = T0 + timedelta(seconds=100)
TIMEOUT = 1800
WINDOW = Window(
    T0.replace(tzinfo=None) - timedelta(hours=1), T0.replace(tzinfo=None) + timedelta(1)
)


def _load(db: Database) -> None:
    store(
        db,
        [
            event("session_start", at=T0, session="quiet"),
            event(
                "conversation_start",
                at=T0 + timedelta(seconds=10),
                session="quiet",
                conversation="c",
            ),
            event(
                "user_message",
                at=T0 + timedelta(seconds=20),
                session="quiet",
                conversation="c",
                content="hello?",
            ),
            event(
                "bot_response",
                at=LAST,
                session="quiet",
                conversation="c",
                content="hi",
                latency_ms=80,
            ),
            event("session_start", at=T0 + timedelta(seconds=1), user="u2", session="broken"),
            event(
                "session_end",
                at=T0 + timedelta(seconds=51),
                user="u2",
                session="broken",
                status="error",
            ),
        ],
    )


def _clock(after_last: timedelta) -> Clock:
    return Clock(now=LAST.replace(tzinfo=None) + after_last, timeout_s=TIMEOUT)


def test_still_active_at_the_timeout(db: Database) -> None:
    _load(db)
    clock = _clock(timedelta(seconds=TIMEOUT))
    with db.read() as conn:
        sessions = session_figures(conn, WINDOW, clock)
        conversations = conversation_figures(conn, WINDOW, clock)
        user = user_detail(conn, "u1", clock)
    assert (sessions.active_sessions, sessions.completed_sessions, sessions.error_sessions) == (
        1,
        0,
        1,
    )
    assert sessions.active_now == 1
    assert sessions.average_duration == 50.0  # only the session that ended with an error
    quiet = next(s for s in sessions.recent_sessions if s.session_id == "quiet")
    assert (quiet.status, quiet.ended_at, quiet.duration_seconds, quiet.timed_out) == (
        "active",
        None,
        None,
        False,
    )
    assert conversations.active_conversations == 1
    assert conversations.average_duration == 0.0
    assert user is not None
    assert (user.is_active, user.total_duration) == (True, 0)


def test_timed_out_just_after(db: Database) -> None:
    _load(db)
    clock = _clock(timedelta(seconds=TIMEOUT, microseconds=1))
    with db.read() as conn:
        sessions = session_figures(conn, WINDOW, clock)
        conversations = conversation_figures(conn, WINDOW, clock)
        user = user_detail(conn, "u1", clock)
    assert (sessions.active_sessions, sessions.completed_sessions, sessions.error_sessions) == (
        0,
        1,
        1,
    )
    assert sessions.active_now == 0
    assert sessions.average_duration == 75.0  # (100 + 50) / 2
    quiet = next(s for s in sessions.recent_sessions if s.session_id == "quiet")
    assert (quiet.status, quiet.duration_seconds, quiet.timed_out) == ("completed", 100, True)
    assert quiet.ended_at == LAST
    assert conversations.completed_conversations == 1
    assert conversations.average_duration == 90.0
    assert conversations.recent_conversations[0].ended_at == LAST
    assert user is not None
    assert (user.is_active, user.total_duration, user.active_sessions) == (False, 100, 0)
