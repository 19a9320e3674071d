"""Fault proofs: the collector under kill -9, a database outage, and fuzzing; `make faults`, `make fuzz`.

Each proof runs the real server (`chatlytics serve` in its own process) against real databases, sends
real traffic with the real SDK and a raw HTTP sender, and checks in the database what was kept.
"""
