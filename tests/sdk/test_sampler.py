"""Performance samples: CPU over wall time, memory, open sessions, median bot latency."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

from chatlytics.events.validate import ValidEvent, validate_event
from chatlytics.sdk._gauges import Gauges
from chatlytics.sdk._sampler import PerformanceSampler, resident_mb
from tests.sdk.fakes import RecordingTransport, make_client, wait_until


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_sample_covers_the_time_since_the_last_one() -> None:
    wall, cpu, gauges = Clock(), Clock(), Gauges()
    sampler = PerformanceSampler(
        print, gauges, interval=10, wall=wall, cpu=cpu, memory=lambda: 123.456
    )
    gauges.session_opened()
    gauges.session_opened()
    gauges.session_closed()
    for ms in (300.0, 100.0, 200.0):
        gauges.record_latency(ms)
    wall.now, cpu.now = 10.0, 2.5
    assert sampler.sample() == {
        "active_connections": 1,
        "cpu_percent": 25.0,
        "memory_mb": 123.46,
        "response_time_ms": 200.0,
    }
    wall.now, cpu.now = 20.0, 2.5
    assert sampler.sample() == {"active_connections": 1, "cpu_percent": 0.0, "memory_mb": 123.46}


def test_memory_is_read_from_this_process() -> None:
    memory = resident_mb()
    assert memory is not None
    assert 1 < memory < 100_000


def test_the_client_samples_on_its_own_thread_when_asked() -> None:
    transport = RecordingTransport()
    client = make_client(
        transport, performance_interval=0.05, flush_interval=0.05, server_name="chat-1"
    )
    client.gauges.session_opened()
    client.bot_response("u1", "s1", "c1", "hello", latency_ms=120.0)
    assert wait_until(lambda: "performance" in transport.types())
    assert client.shutdown()
    samples = [e for e in transport.events() if e["type"] == "performance"]
    first = samples[0]
    assert first["user_id"] == "server:chat-1"
    assert first["session_id"].startswith("server:chat-1:")
    assert first["properties"]["active_connections"] == 1
    assert first["properties"]["response_time_ms"] == 120.0
    assert len({e["session_id"] for e in samples}) == 1
    now = datetime.now(UTC)
    assert isinstance(validate_event(0, first, sent_at=now, received_at=now), ValidEvent)
    sampler = client._sampler
    assert sampler is not None
    assert sampler._thread is not None
    assert not sampler._thread.is_alive()


def test_the_server_name_defaults_to_the_host_name() -> None:
    client = make_client(RecordingTransport())
    assert client.server_name == socket.gethostname()[:120]
    client.shutdown()
