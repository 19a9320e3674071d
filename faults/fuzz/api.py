"""Schemathesis on every operation of the live server's /openapi.json, with and without keys.

Each operation gets schemathesis' coverage cases (boundaries and type violations of every parameter)
and Hypothesis-generated cases in positive and negative modes, with the key of the role it needs (so
that the handler itself runs, not only the key check), then fewer with no key at all. Nothing is
asserted inside Hypothesis: every answer is counted, and the smallest request of each problem is kept
as a curl command.
"""

from __future__ import annotations

import contextlib
from typing import Any

import requests
import schemathesis
from bench.load import BROWSER
from bench.server import ADMIN_KEY, READ_KEY, WRITE_KEY
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case
from schemathesis.schemas import APIOperation

from faults.fuzz.tally import Tally, shorten

Operation = APIOperation[Any, Any, Any, Any]
REQUEST_TIMEOUT_S = 10.0
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def role_key(path: str, method: str) -> str:
    """The key an operation needs: write to send, admin to administer, read for the rest."""
    if method == "POST" and (path == "/v1/events" or path.startswith("/analytics/")):
        return WRITE_KEY  # POST /analytics/... are the legacy ingestion routes
    if path.startswith(("/v1/failed_events", "/v1/users")):
        return ADMIN_KEY
    return READ_KEY


class Driver:
    """Sends cases of one run and counts their answers."""

    def __init__(self, session: requests.Session, tally: Tally, random_seed: int) -> None:
        self.session = session
        self.tally = tally
        self.random_seed = random_seed

    def call(self, case: Case[Any], headers: dict[str, str]) -> None:
        label = f"{case.operation.method.upper()} {case.operation.path}"
        headers = {**headers, "User-Agent": BROWSER}
        # schemathesis hides the key in its curl; say which one it was.
        key = headers.get("Authorization", "no key").removeprefix("Bearer ")
        repro = shorten(f"[key: {key}] {case.as_curl_command(headers)}")
        try:
            response = case.call(session=self.session, headers=headers, timeout=REQUEST_TIMEOUT_S)
        except requests.RequestException as exc:
            self.tally.fail(f"{label}: no answer ({type(exc).__name__})", repro)
            return
        self.tally.answer(label, response.status_code, response.content, repro)

    def coverage(self, operation: Operation, headers: dict[str, str]) -> None:
        schema = operation.schema
        config = schema.config.generation_for(operation=operation)
        for case in schema.iter_coverage_cases(
            operation, generation_modes=list(MODES), generation_config=config
        ):
            self.call(case, headers)

    def generated(
        self,
        operation: Operation,
        mode: GenerationMode,
        headers: dict[str, str],
        examples: int,
    ) -> None:
        @seed(self.random_seed)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Case[Any]) -> None:
            self.call(case, headers)

        # An operation with nothing to break (no parameters, no body) has no negative cases.
        with contextlib.suppress(Unsatisfiable):
            run()


def fuzz_api(base_url: str, *, examples: int, random_seed: int) -> Tally:
    """Every operation: coverage cases and `examples` per mode with its key, a fifth without."""
    tally = Tally("schemathesis: every route")
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    schema.config.update(base_url=base_url)
    with requests.Session() as session:
        driver = Driver(session, tally, random_seed)
        for result in schema.get_all_operations():
            if not isinstance(result, Ok):
                tally.fail("an operation schemathesis cannot read", shorten(str(result.err())))
                continue
            operation = result.ok()
            key = {"Authorization": f"Bearer {role_key(operation.path, operation.method.upper())}"}
            driver.coverage(operation, key)
            for mode in MODES:
                driver.generated(operation, mode, key, examples)
                driver.generated(operation, mode, {}, max(1, examples // 5))
    return tally
