"""The analytics read API: one module per family of figures, each figure one named query function.

Every function takes a Connection and typed parameters (a `Window`, a `Clock`) and returns a pydantic
model; `analytics.routes` only turns HTTP into those calls.
"""

from chatlytics.analytics.conversations import conversation_figures
from chatlytics.analytics.event_counts import event_counts
from chatlytics.analytics.handovers import handover_figures
from chatlytics.analytics.leads import lead_figures
from chatlytics.analytics.messages import message_figures
from chatlytics.analytics.overview import overview
from chatlytics.analytics.percentiles import percentile_cont
from chatlytics.analytics.range import RangeError, Window, parse_window
from chatlytics.analytics.sessions import session_figures
from chatlytics.analytics.status import Clock
from chatlytics.analytics.users import active_users, user_detail

__all__ = [
    "Clock",
    "RangeError",
    "Window",
    "active_users",
    "conversation_figures",
    "event_counts",
    "handover_figures",
    "lead_figures",
    "message_figures",
    "overview",
    "parse_window",
    "percentile_cont",
    "session_figures",
    "user_detail",
]
