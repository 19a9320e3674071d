"""Every operations endpoint needs a read key first, and answers a bad parameter with a 422 that names
it and says why."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.analytics.test_params import reason
from tests.helpers import ADMIN, READ, WRITE

pytestmark = pytest.mark.usefixtures("sqlite_only")

PATHS = [
    "/analytics/performance",
    "/analytics/pain_points",
    "/analytics/satisfaction",
    "/analytics/roi",
    "/analytics/capacity",
]
BAD: list[tuple[str, dict[str, str], str, str]] = [
    ("/analytics/performance", {"interval": "month"}, "interval", "hour"),
    ("/analytics/performance", {"slowest_by": "median"}, "slowest_by", "avg"),
    ("/analytics/performance", {"from": "2020-01-01", "interval": "hour"}, "interval", "5000"),
    ("/analytics/pain_points", {"business_start": "24"}, "business_start", "23"),
    ("/analytics/pain_points", {"business_end": "0"}, "business_end", "1"),
    (
        "/analytics/pain_points",
        {"business_start": "10", "business_end": "10"},
        "business_end",
        "after",
    ),
    ("/analytics/pain_points", {"business_days": "0-5"}, "business_days", "1 (Monday)"),
    ("/analytics/pain_points", {"business_days": "5-1"}, "business_days", "in order"),
    ("/analytics/pain_points", {"business_days": "mon-fri"}, "business_days", "not a day"),
    ("/analytics/pain_points", {"business_days": ""}, "business_days", "not a day"),
    ("/analytics/pain_points", {"business_tz": "Mars/Olympus"}, "business_tz", "IANA"),
    ("/analytics/pain_points", {"business_tz": "../etc/passwd"}, "business_tz", "IANA"),
    ("/analytics/pain_points", {"business_tz": "localtime"}, "business_tz", "IANA"),
    ("/analytics/pain_points", {"business_tz": "right/UTC"}, "business_tz", "IANA"),
    ("/analytics/pain_points", {"business_tz": "posix/Europe/Paris"}, "business_tz", "IANA"),
    ("/analytics/pain_points", {"business_tz": "Factory"}, "business_tz", "IANA"),
    ("/analytics/pain_points", {"business_days": "1-"}, "business_days", "not a day"),
    ("/analytics/pain_points", {"business_days": "9" * 5000}, "business_days", "not a day"),
    ("/analytics/pain_points", {"business_days": "\u0663"}, "business_days", "not a day"),
    ("/analytics/pain_points", {"business_days": "\uff11"}, "business_days", "not a day"),
    ("/analytics/pain_points", {"business_days": "\u00b2"}, "business_days", "not a day"),
    ("/analytics/pain_points", {"limit": "0"}, "limit", "1"),
    ("/analytics/pain_points", {"limit": "101"}, "limit", "100"),
    ("/analytics/satisfaction", {"scale": "five"}, "scale", "auto"),
    ("/analytics/roi", {"cost_per_month": "-1"}, "cost_per_month", "0"),
    ("/analytics/roi", {"cost_per_month": "nan"}, "cost_per_month", "finite"),
    ("/analytics/roi", {"lead_value": "inf"}, "lead_value", "finite"),
    ("/analytics/roi", {"conversion_value": "lots"}, "conversion_value", "number"),
    (
        "/analytics/roi",
        {"cost_per_month": "1", "cost_per_conversation": "1"},
        "cost_per_conversation",
        "not both",
    ),
    ("/analytics/roi", {"currency": "EURO"}, "currency", "3"),
    ("/analytics/capacity", {"horizon": "0"}, "horizon", "1"),
    ("/analytics/capacity", {"horizon": "53"}, "horizon", "52"),
    ("/analytics/capacity", {"from": "1970-01-01", "to": "9999-01-01"}, "from", "at most 5000"),
]


@pytest.mark.parametrize(("path", "params", "field", "says"), BAD)
def test_bad_parameter_is_422_with_the_reason(
    app_client: TestClient, path: str, params: dict[str, str], field: str, says: str
) -> None:
    response = app_client.get(path, params=params, headers=READ)
    assert says in reason(response, field)


@pytest.mark.parametrize("path", PATHS)
def test_the_common_window_is_checked(app_client: TestClient, path: str) -> None:
    response = app_client.get(path, params={"from": "2026-12-01", "to": "2026-11-01"}, headers=READ)
    assert "before to" in reason(response, "from")
    response = app_client.get(path, params={"to": "tomorrow"}, headers=READ)
    assert "ISO 8601" in reason(response, "to")


@pytest.mark.parametrize("path", PATHS)
def test_the_key_comes_first(app_client: TestClient, path: str) -> None:
    assert app_client.get(path).status_code == 401
    assert app_client.get(path, params={"from": "garbage", "limit": "0"}).status_code == 401
    assert app_client.get(path, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert app_client.get(path, headers=WRITE, params={"horizon": "0"}).status_code == 403


@pytest.mark.parametrize("path", PATHS)
def test_read_and_admin_keys_get_an_answer_on_an_empty_store(
    app_client: TestClient, path: str
) -> None:
    for key in (READ, ADMIN):
        response = app_client.get(path, headers=key)
        assert response.status_code == 200, response.text


def test_an_empty_store_answers_zeros_and_nulls(app_client: TestClient) -> None:
    answers = {p: app_client.get(p, headers=READ).json() for p in PATHS}
    performance = answers["/analytics/performance"]
    assert len(performance["response_time_ms"]) == 31
    assert {row["p99"] for row in performance["response_time_ms"]} == {None}
    assert performance["slowest_conversations"] == []
    assert performance["errors"]["error_rate"] == 0.0
    assert [row["share"] for row in performance["abandonment"]] == [0.0] * 4
    pain = answers["/analytics/pain_points"]
    assert pain["handover_quality"]["bot_turns_median"] is None
    assert pain["repeated_questions"] == []
    assert answers["/analytics/satisfaction"]["csat"] is None
    roi = answers["/analytics/roi"]
    assert (roi["cost_source"], roi["cost"], roi["roi"]) == ("none", None, None)
    capacity = answers["/analytics/capacity"]
    assert (capacity["peak_concurrent_sessions"], capacity["peak_at"]) == (0, None)
    assert capacity["growth"]["slope_per_week"] == 0.0
