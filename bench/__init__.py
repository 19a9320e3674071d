"""`make bench`: ingest throughput against the raw database limit, and analytics read latency.

Run with `python -m bench`; BENCH_EVENTS and BENCH_ANALYTICS_EVENTS set the sizes, and
`python -m bench --databases sqlite --ingest-only` measures one database's ingest alone.
"""
