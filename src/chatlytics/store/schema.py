"""The tables, as SQLAlchemy Core. Times are naive UTC; every figure uses the clock-corrected time.

The raw `events` log is the source of truth; the other tables are projections of it that the writer keeps
up to date in the same transaction, so the seed's consumers can read them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class _SqliteDateTime(sqlite.DATETIME):
    """SQLite's DATETIME, written with `isoformat` (C code) instead of a %-format per value.

    The text is the same (`YYYY-MM-DD HH:MM:SS.ffffff`, what SQLAlchemy reads back); binding was a
    tenth of the writer's time.
    """

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], str | None]:
        def process(value: Any) -> str | None:
            if value is None:
                return None
            if type(value) is datetime:
                return value.isoformat(" ", "microseconds")
            raise TypeError(f"SQLite DateTime type only accepts Python datetime, got {value!r}")

        return process


# Microsecond precision everywhere: MariaDB's DATETIME defaults to whole seconds.
UtcDateTime = (
    sa.DateTime()
    .with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
    .with_variant(_SqliteDateTime(), "sqlite")
)
# Ids compare byte for byte everywhere: MariaDB's default collation would fold case, making `Abc` a
# duplicate of `abc`. (Its binary collations still ignore trailing spaces; the contract refuses ids
# with leading or trailing white space, see events/validate.py.)
Id = sa.String(255).with_variant(mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb")
EventId = sa.String(128).with_variant(
    mysql.VARCHAR(128, collation="utf8mb4_bin"), "mysql", "mariadb"
)
Json = sa.JSON().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")

events = sa.Table(
    "events",
    metadata,
    sa.Column("event_id", EventId, primary_key=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("session_id", Id, nullable=False),
    sa.Column("conversation_id", Id),
    sa.Column("page_url", sa.Text),
    sa.Column("occurred_at", UtcDateTime, nullable=False, comment="clock-corrected time"),
    sa.Column("client_timestamp", UtcDateTime, nullable=False, comment="sender's clock"),
    sa.Column("sent_at", UtcDateTime),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("properties", LongText, nullable=False, comment="JSON object"),
    sa.Column(
        "client_ip", sa.String(45), comment="sender's network (IPv4 /24, IPv6 /48), widget only"
    ),
    # Kept per event so that projections can be rebuilt from the raw log alone (retention, erase).
    sa.Column("browser", sa.String(64)),
    sa.Column("os", sa.String(64)),
    sa.Column(
        "device_type",
        sa.String(64),
        comment="desktop | mobile | tablet | other (reduced from the User-Agent)",
    ),
    # Led by the type: readers ask for some types in a time range, one index range per type. The
    # visitor ids make a funnel's first events an index-only read (migration 0005).
    sa.Index(None, "type", "occurred_at", "user_id", "session_id"),
    sa.Index(None, "user_id"),
    sa.Index(None, "session_id"),
)

failed_events = sa.Table(
    "failed_events",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("event_id", Id),
    sa.Column("user_id", Id),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", LongText, nullable=False, comment="the event as sent, JSON"),
    sa.Index(None, "received_at"),
    sa.Index(None, "user_id"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("label", sa.String(255), nullable=False, server_default=""),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", Id, primary_key=True),
    sa.Column("first_seen_at", UtcDateTime, nullable=False),
    sa.Column("last_active_at", UtcDateTime, nullable=False),
    sa.Column("total_sessions", sa.Integer, nullable=False, server_default="0"),
    sa.Column("total_messages", sa.Integer, nullable=False, server_default="0"),
    sa.Column("total_conversations", sa.Integer, nullable=False, server_default="0"),
    sa.Column(
        "total_duration",
        sa.Integer,
        nullable=False,
        server_default="0",
        comment="seconds, sessions with an explicit end; the API adds timed-out ones",
    ),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("user_type", sa.String(16), nullable=False, server_default="new"),
    sa.Column("last_page_url", sa.Text),
    sa.Column("last_page_at", UtcDateTime),
    sa.Index(None, "first_seen_at"),
    sa.Index(None, "last_active_at"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("session_id", Id, primary_key=True),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("first_event_id", EventId, nullable=False),
    sa.Column("last_event_at", UtcDateTime, nullable=False),
    sa.Column(
        "ended_at", UtcDateTime, comment="winning session_end: backend over widget, then latest"
    ),
    sa.Column("end_source", sa.String(16)),
    sa.Column("end_status", sa.String(16)),
    sa.Column("end_reason", sa.Text),
    sa.Column("end_event_id", EventId),
    sa.Column(
        "duration_seconds", sa.Integer, comment="ended_at - started_at, when ended explicitly"
    ),
    sa.Column("active_seconds", sa.Integer, nullable=False, comment="last_event_at - started_at"),
    sa.Column("event_count", sa.Integer, nullable=False),
    sa.Column("message_count", sa.Integer, nullable=False),
    sa.Column("user_message_count", sa.Integer, nullable=False),
    sa.Column("bot_message_count", sa.Integer, nullable=False),
    sa.Column("has_widget", sa.Boolean, nullable=False),
    sa.Column("has_backend", sa.Boolean, nullable=False),
    sa.Column("client_info", sa.Text),
    sa.Column("city", sa.String(255)),
    sa.Column("region", sa.String(255)),
    sa.Column("country", sa.String(255)),
    sa.Column("latitude", sa.Double),
    sa.Column("longitude", sa.Double),
    sa.Column("info_at", UtcDateTime, comment="time of the session_start that gave client_info"),
    sa.Column("info_event_id", EventId),
    sa.Column("browser", sa.String(64)),
    sa.Column("os", sa.String(64)),
    sa.Column("device_type", sa.String(64), comment="desktop | mobile | tablet | other"),
    sa.Column("device_at", UtcDateTime, comment="time of the event that gave the device"),
    sa.Column("device_event_id", EventId),
    sa.Index(None, "started_at"),
    # Sessions active since a time, with their start: those that straddle a funnel's start (0009).
    sa.Index(None, "last_event_at", "started_at", "session_id"),
    sa.Index(None, "user_id"),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("conversation_id", Id, primary_key=True),
    sa.Column("session_id", Id, nullable=False),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("first_event_id", EventId, nullable=False),
    sa.Column("last_event_at", UtcDateTime, nullable=False),
    sa.Column("ended_at", UtcDateTime),
    sa.Column("end_status", sa.String(16)),
    sa.Column("end_event_id", EventId),
    sa.Column(
        "handover_named",
        sa.Boolean,
        nullable=False,
        comment="a handover event or a conversation_end{handover} names it",
    ),
    sa.Column(
        "handover_assigned",
        sa.Boolean,
        nullable=False,
        comment="a handover without conversation_id was assigned to it",
    ),
    sa.Column("duration_seconds", sa.Integer),
    sa.Column("active_seconds", sa.Integer, nullable=False),
    sa.Column("message_count", sa.Integer, nullable=False),
    sa.Column("user_message_count", sa.Integer, nullable=False),
    sa.Column("bot_message_count", sa.Integer, nullable=False),
    sa.Column("fallback_count", sa.Integer, nullable=False),
    sa.Column("last_message_at", UtcDateTime, comment="its latest message (migration 0008)"),
    sa.Column("last_message_event_id", EventId, comment="ties at last_message_at: the largest"),
    sa.Column(
        "ends_on_fallback",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="its latest message is a fallback bot reply",
    ),
    sa.Index(None, "started_at"),
    sa.Index(None, "session_id"),
    sa.Index(None, "user_id"),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("event_id", EventId, primary_key=True),
    sa.Column("message_id", Id, nullable=False),
    sa.Column("conversation_id", Id, nullable=False),
    sa.Column("session_id", Id, nullable=False),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("message_type", sa.String(16), nullable=False, comment="user | bot | system"),
    sa.Column("content", LongText, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("latency_ms", sa.Double),
    sa.Column("fallback", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("model", sa.String(255)),
    sa.Column("tokens_in", sa.Integer),
    sa.Column("tokens_out", sa.Integer),
    sa.Column("cost", sa.Double),
    sa.Column(
        "question_key",
        sa.BigInteger,
        comment="user messages: 64-bit hash of the normalized text (store/projections/questions.py);"
        " fallback replies: their question's",
    ),
    sa.Column(
        "question_id",
        EventId,
        comment="fallback replies: the user message right before (store/projections/asked.py)",
    ),
    sa.Column(
        "abandoned",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="bot replies: a widget_close of the session followed within 60 s, with no user "
        "message in between (store/projections/abandonment.py)",
    ),
    # Covering the figures of /analytics/performance and /messages: bot replies by time (named, as
    # the convention's name would pass MySQL's 64 characters; migration 0007). The messages of a
    # session by time serve the writer's abandoned flags; a conversation's in time order.
    sa.Index(
        "ix_messages_replies_by_time",
        "created_at",
        "message_type",
        "latency_ms",
        "conversation_id",
        "abandoned",
    ),
    # The questions of a range by key, and its fallback replies, from the index alone (migration
    # 0006). Led by the time, not the type: SQLite, without statistics, took a type-led index for
    # "this conversation's user messages before t" and read every user message before t.
    sa.Index(None, "created_at", "message_type", "fallback", "question_key"),
    # A conversation's latest user message at or before a time (the question before a fallback),
    # found by one step down the index (migration 0006).
    sa.Index(None, "conversation_id", "message_type", "created_at", "event_id"),
    sa.Index(None, "conversation_id", "created_at"),
    sa.Index(None, "session_id", "created_at", "message_type", "latency_ms"),
    sa.Index(None, "user_id"),
)

lead_analytics = sa.Table(
    "lead_analytics",
    metadata,
    sa.Column("event_id", EventId, primary_key=True),
    sa.Column("lead_id", Id, nullable=False),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("session_id", Id, nullable=False),
    sa.Column("conversation_id", Id),
    sa.Column("lead_type", sa.String(255), nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("page_url", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "created_at"),
    sa.Index(None, "user_id"),
    sa.Index(None, "session_id"),
)

human_handover = sa.Table(
    "human_handover",
    metadata,
    sa.Column("event_id", EventId, primary_key=True),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("session_id", Id, nullable=False),
    sa.Column("conversation_id", Id, comment="as sent, or the one it was assigned to"),
    sa.Column("conversation_named", sa.Boolean, nullable=False),
    sa.Column("issues", sa.Text, nullable=False, comment="JSON list of strings"),
    sa.Column("other_text", sa.Text),
    sa.Column("support_option", sa.String(255), nullable=False),
    sa.Column("last_message", sa.Text),
    sa.Column("status", sa.String(32), nullable=False, server_default="requested"),
    sa.Column("requested_at", UtcDateTime, nullable=False),
    sa.Index(None, "requested_at"),
    sa.Index(None, "session_id"),
    sa.Index(None, "user_id"),
)

chatbot_close_events = sa.Table(
    "chatbot_close_events",
    metadata,
    sa.Column("event_id", EventId, primary_key=True),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("session_id", Id, nullable=False),
    sa.Column("conversation_id", Id),
    sa.Column("closed_at", UtcDateTime, nullable=False),
    sa.Column("time_spent_seconds", sa.Double, nullable=False),
    sa.Column("last_user_message", sa.Text),
    sa.Column("last_bot_message", sa.Text),
    sa.Index(None, "closed_at"),
    sa.Index(None, "session_id"),
    sa.Index(None, "user_id"),
)

first_events = sa.Table(
    "first_events",
    metadata,
    sa.Column("session_id", Id, primary_key=True),
    sa.Column("user_id", Id, primary_key=True),
    sa.Column("type", sa.String(64), primary_key=True),
    sa.Column("first_at", UtcDateTime, nullable=False, comment="its earliest occurred_at"),
    # A range's first events of a type, per visitor or session, from the index alone (the funnel).
    sa.Index(None, "type", "first_at", "user_id", "session_id"),
    comment="the time of the first event of each type, per session and user (store/projections/"
    "firsts.py)",
    sqlite_with_rowid=False,  # one b-tree fewer per insert: the key is the table
)

anonymous_counts = sa.Table(
    "anonymous_counts",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("event_type", sa.String(64), primary_key=True),
    sa.Column("reason", sa.String(16), primary_key=True, comment="no_consent | bot"),
    sa.Column("count", sa.BigInteger, nullable=False),
    comment="events received but not stored, counted without anything personal",
)

hourly_event_counts = sa.Table(
    "hourly_event_counts",
    metadata,
    sa.Column("hour", UtcDateTime, primary_key=True, comment="start of the hour (UTC)"),
    sa.Column("type", sa.String(64), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    comment="stored events per hour of occurred_at and type, kept with the raw log",
)

PROJECTIONS = (
    users,
    sessions,
    conversations,
    messages,
    lead_analytics,
    human_handover,
    chatbot_close_events,
    first_events,
)

erasures = sa.Table(
    "erasures",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("erased_at", UtcDateTime, nullable=False),
    sa.Column(
        "user_hash",
        sa.String(64),
        nullable=False,
        comment="HMAC-SHA-256 of the user id, keyed with salt (and USER_ID_SECRET when set)",
    ),
    sa.Column("salt", sa.String(32), nullable=False, comment="random, one per erasure"),
    sa.Column("counts", sa.Text, nullable=False, comment="JSON object: rows removed per table"),
    sa.Column("actor", sa.String(16), nullable=False, comment="api | cli"),
    sa.Index(None, "erased_at"),
    comment="GDPR erasures carried out: the fact, without the person",
)
