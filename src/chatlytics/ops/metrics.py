"""Prometheus metrics of the collector, on the default registry (one collector per process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS = Counter(
    "chatlytics_events_total", "Events received, by outcome", ["outcome"]
)  # accepted | duplicate | rejected | disabled
BATCH_EVENTS = Histogram(
    "chatlytics_batch_events",
    "Events per committed writer batch",
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000),
)
COMMIT_SECONDS = Histogram(
    "chatlytics_commit_seconds",
    "Time to write and commit one batch",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
WRITER_QUEUE = Gauge("chatlytics_writer_queue_events", "Events waiting for the writer")
REQUEST_SECONDS = Histogram(
    "chatlytics_request_seconds", "HTTP request latency by route", ["method", "route", "status"]
)
