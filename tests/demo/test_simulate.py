"""`chatlytics simulate` end to end: virtual visitors on the real demo and collector, then the figures.

The simulation counts what its visitors did; the analytics API, fed only over the network (widget
events by HTTP, chat events by the demo's SDK), must show exactly that.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from chatlytics.cli import app
from chatlytics.demo import default_catalogue
from chatlytics.demo.plan import Ask, Close, Handover, Lead, Open, plan_visitors
from tests.demo.stack import Stack, off_loop

SHOP = default_catalogue()


def run_cli(stack: Stack, tmp_path: Path, *options: str) -> dict[str, Any]:
    out = tmp_path / "summary.json"
    args = ["simulate", "--demo", stack.demo, "--json", str(out), *options]
    result = off_loop(CliRunner().invoke, app, args)
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(out.read_text())
    return summary


def test_the_same_seed_gives_the_same_visitors() -> None:
    assert plan_visitors(50, 7, SHOP) == plan_visitors(50, 7, SHOP)
    assert plan_visitors(50, 7, SHOP) != plan_visitors(50, 8, SHOP)
    assert plan_visitors(3, 7, SHOP) == plan_visitors(50, 7, SHOP)[:3]


def test_the_visitors_do_everything_the_demo_offers() -> None:
    steps = [step for plan in plan_visitors(200, 1, SHOP) for step in plan.steps]
    kinds = {type(step).__name__ for step in steps}
    assert kinds == {
        "Browse",
        "Tab",
        "Open",
        "Ask",
        "Interest",
        "Thumb",
        "Lead",
        "Handover",
        "Close",
    }
    for plan in plan_visitors(200, 1, SHOP):
        chat = [s for s in plan.steps if isinstance(s, Ask | Lead | Handover | Close)]
        if chat:  # everything in the chat happens after the widget opened
            assert plan.steps.index(Open()) < plan.steps.index(chat[0])
        assert len(plan.pauses) == len(plan.steps) + 1


def test_simulated_visitors_give_exactly_the_figures_they_produced(
    stack: Stack, tmp_path: Path
) -> None:
    summary = run_cli(stack, tmp_path, "--users", "5", "--minutes", "0", "--seed", "1")
    stack.settle()

    assert summary["seed"] == 1
    assert (summary["failed_visitors"], summary["events_rejected"]) == (0, 0)
    assert summary["visitors"] == 5
    assert summary["events_accepted"] == summary["events_sent"]
    # The seed was chosen for a run that exercises all of these.
    for field in ("questions", "leads", "handovers", "widget_closes", "fallbacks"):
        assert summary[field] > 0, field
    overview = stack.figures()
    expected = {
        "total_sessions": summary["visitors"],
        "total_conversations": summary["conversations"],
        "total_messages": summary["questions"] + summary["replies"],
        "total_questions": summary["questions"],
        "total_chatbot_opens": summary["widget_opens"],
        "total_chatbot_closes": summary["widget_closes"],
        "total_leads": summary["leads"],
        "total_handovers": summary["handovers"],
        "total_errors": 0,
    }
    assert {k: overview[k] for k in expected} == expected
    messages = stack.figures("messages")
    assert messages["fallback_messages"] == summary["fallbacks"]
    sessions = stack.figures("sessions")["recent_sessions"]
    assert all(s["has_widget"] for s in sessions)
    assert sum(s["has_backend"] for s in sessions) == summary["chat_sessions"]
    conversations = stack.figures("conversations")
    assert conversations["handover_conversations"] == summary["handover_conversations"]
    types = stack.event_types()
    assert types.get("feedback", 0) == summary["feedback"]
    assert types.get("product_interest", 0) == summary["product_interest"]
    assert types.get("navigation", 0) == summary["navigations"]
    assert types["page_view"] == summary["page_views"]


def test_a_second_run_of_the_seed_behaves_the_same_as_new_visitors(
    stack: Stack, tmp_path: Path
) -> None:
    first = run_cli(stack, tmp_path, "--users", "3", "--minutes", "0", "--seed", "5")
    second = run_cli(stack, tmp_path, "--users", "3", "--minutes", "0", "--seed", "5")
    stack.settle()
    timing = {"seconds"}
    assert {k: v for k, v in first.items() if k not in timing} == {
        k: v for k, v in second.items() if k not in timing
    }
    assert stack.figures()["total_sessions"] == 6  # fresh ids: not the same visitors twice


def test_visitors_spread_over_the_window(stack: Stack, tmp_path: Path) -> None:
    summary = run_cli(stack, tmp_path, "--users", "2", "--minutes", "0.05", "--seed", "3")
    assert summary["visitors"] == 2
    # A visit's pauses fill the 3 s window; the chat's own time comes on top.
    assert 2.9 <= summary["seconds"] < 15


def test_a_demo_that_is_not_there_fails_with_a_message() -> None:
    args = ["simulate", "--users", "1", "--minutes", "0", "--demo", "http://127.0.0.1:9"]
    result = off_loop(CliRunner().invoke, app, args)
    assert result.exit_code == 1
    assert "is not reachable" in result.output
