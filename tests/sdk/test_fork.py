"""Fork safety: a child gets an empty queue and its own consumer; the parent's events stay the parent's."""

from __future__ import annotations

import json
import os
import sys
import warnings
from typing import Any

import pytest

from chatlytics.sdk import Client
from tests.sdk.fakes import RecordingTransport, chat_event, make_client

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def in_child(client: Client, transport: RecordingTransport) -> dict[str, Any]:
    """Fork; the child tracks one event, flushes, and reports what its transport saw."""
    reader, writer = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a multi-threaded process is risky: that is the point here.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which must never return into pytest
        code = 1
        try:
            os.close(reader)
            event_id = chat_event(client, 99, session_id="child")
            flushed = client.flush(timeout=10)
            report = {
                "event_id": event_id,
                "flushed": flushed,
                "contents": [e["properties"]["content"] for e in transport.events()],
                "counts": [client.sent, client.dropped, client.failed],
            }
            os.write(writer, json.dumps(report).encode())
            code = 0
        finally:
            sys.stdout.flush()
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    found: dict[str, Any] = json.loads(data)
    return found


@pytest.mark.parametrize("started_in_parent", [True, False])
def test_a_forked_child_sends_its_own_events_only(started_in_parent: bool) -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    if started_in_parent:
        chat_event(client, 1)  # queued in the parent, held for the 60 s interval

    report = in_child(client, transport)

    assert report["flushed"] is True
    assert report["contents"] == ["m99"]
    assert report["counts"] == [1, 0, 0]
    assert client.flush()
    expected = ["m1"] if started_in_parent else []
    assert [e["properties"]["content"] for e in transport.events()] == expected
    assert client.sent == len(expected)
    client.shutdown()
