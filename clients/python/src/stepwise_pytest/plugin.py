"""The pytest plugin: a ``stepwise_trace`` fixture, pass/fail per test, one sync at session end.

Telemetry never breaks a test run: every problem becomes one line in the terminal summary.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any, Dict, List

import pytest

from .client import SyncError, sync_results
from .trace import StepwiseTrace, new_trace_id

TRACE_PROPERTY = "stepwise_trace"
MAX_NOTES = 2000
_STATE = pytest.StashKey["_Collector"]()
_TRACE = pytest.StashKey[StepwiseTrace]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("stepwise", "sync test results and agent traces to Stepwise")
    group.addoption("--stepwise-url", default=None, help="Stepwise server URL (default: $STEPWISE_URL); the API key comes from $STEPWISE_API_KEY")
    group.addoption("--stepwise-agent", default=None, help="agent name for the run (default: $STEPWISE_AGENT, else the rootdir's name)")
    group.addoption("--stepwise-run-name", default=None, help="a name for the test run in the dashboard")
    group.addoption("--stepwise-only-traced", action="store_true", default=False, help="sync only tests that used the stepwise_trace fixture")
    group.addoption("--no-stepwise", action="store_true", default=False, help="do not sync this run")


class _Collector:
    """Gathers one result per test from the reports (on the xdist controller too, via user_properties)."""

    def __init__(self) -> None:
        self.results: Dict[str, Dict[str, Any]] = {}
        self.summary: List[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        try:
            self.add_report(report)
        except Exception as error:  # noqa: BLE001 - recording must never fail a test
            self.summary.append(f"stepwise: could not read the report of {report.nodeid}: {error}")

    def add_report(self, report: pytest.TestReport) -> None:
        entry = self.results.setdefault(report.nodeid, {"outcome": None, "notes": [], "duration": 0.0, "trace": None})
        entry["duration"] += getattr(report, "duration", 0.0) or 0.0
        for name, value in getattr(report, "user_properties", []):
            if name == TRACE_PROPERTY:
                entry["trace"] = value
        if report.skipped and not hasattr(report, "wasxfail") and entry["outcome"] is None:
            entry["outcome"] = "skipped"
        elif report.skipped and hasattr(report, "wasxfail"):
            entry["outcome"] = "skipped"  # an expected failure is not a result of the agent
        elif report.failed:
            entry["outcome"] = "failed"
            entry["notes"].append(_notes(report))
        elif report.when == "call" and entry["outcome"] is None:
            entry["outcome"] = "passed"

    def items(self, only_traced: bool) -> List[Dict[str, Any]]:
        items = []
        for nodeid, entry in self.results.items():
            if entry["outcome"] not in ("passed", "failed") or (only_traced and entry["trace"] is None):
                continue
            items.append(_result_item(nodeid, entry))
        return items


def _notes(report: pytest.TestReport) -> str:
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    text = crash.message if crash is not None else getattr(report, "longreprtext", "") or "failed"
    phase = "" if report.when == "call" else f"[{report.when}] "
    return (phase + text)[:MAX_NOTES]


def _result_item(nodeid: str, entry: Dict[str, Any]) -> Dict[str, Any]:
    trace = json.loads(entry["trace"]) if entry["trace"] else None
    events = trace["events"] if trace else []
    first_input = next((e["data"]["message"] for e in events if e["type"] == "user_input"), None)
    last_response = next((e["data"]["message"] for e in reversed(events) if e["type"] == "agent_response"), "")
    item: Dict[str, Any] = {
        "scenario_id": (trace or {}).get("scenario_id") or nodeid,
        "user_message": first_input if first_input is not None else nodeid,
        "agent_response": last_response,
        "passed": entry["outcome"] == "passed",
        "trace_id": (trace or {}).get("trace_id") or new_trace_id(),
        "duration_ms": round(entry["duration"] * 1000, 3),
        "metadata": {"runner": "pytest", "nodeid": nodeid},
    }
    if trace:
        expected = trace.pop("expected", None)
        item["trace"] = trace
        if expected:
            item["expected"] = expected
    notes = "\n".join(n for n in entry["notes"] if n)
    if notes:
        item["notes"] = notes[:MAX_NOTES]
    return item


def pytest_configure(config: pytest.Config) -> None:
    collector = _Collector()
    config.stash[_STATE] = collector
    # Registered as a plugin so it sees every report, on the xdist controller as well.
    config.pluginmanager.register(collector, "stepwise-collector")
    config.addinivalue_line("markers", "stepwise(scenario): the Stepwise scenario id of this test (default: its node id)")


@pytest.fixture
def stepwise_trace(request: pytest.FixtureRequest) -> StepwiseTrace:
    """Records this test's agent steps; synced with the test's pass/fail at the end of the session."""
    marker = request.node.get_closest_marker("stepwise")
    scenario = marker.args[0] if marker and marker.args else None
    trace = StepwiseTrace(scenario_id=scenario)
    request.node.stash[_TRACE] = trace
    return trace


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    try:
        report = outcome.get_result()
        trace = item.stash.get(_TRACE, None)
        if trace is not None and report.when == "teardown":
            payload = trace.to_dict(default_scenario=item.nodeid)
            if trace.expected:
                payload["expected"] = trace.expected
            # user_properties travel with the report (to the xdist controller too); a JSON string keeps it plain.
            report.user_properties.append((TRACE_PROPERTY, json.dumps(payload, default=repr)))
    except Exception as error:  # noqa: BLE001 - recording must never fail a test
        item.config.stash[_STATE].summary.append(f"stepwise: could not record the trace of {item.nodeid}: {error}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    collector = config.stash.get(_STATE, None)
    if collector is None or hasattr(config, "workerinput") or config.getoption("--no-stepwise"):
        return
    try:
        _sync(config, collector)
    except Exception as error:  # noqa: BLE001 - telemetry never throws into the test run
        collector.summary.append(f"stepwise: the run was not synced: {error}")


def _sync(config: pytest.Config, collector: _Collector) -> None:
    url = config.getoption("--stepwise-url") or os.environ.get("STEPWISE_URL")
    if not url:
        collector.summary.append("stepwise: STEPWISE_URL is not set; results were not synced")
        return
    items = collector.items(bool(config.getoption("--stepwise-only-traced")))
    if not items:
        collector.summary.append("stepwise: no test results to sync")
        return
    agent = config.getoption("--stepwise-agent") or os.environ.get("STEPWISE_AGENT") or config.rootpath.name or "pytest"
    run_name = config.getoption("--stepwise-run-name") or f"pytest {datetime.now(timezone.utc).isoformat(timespec='seconds')}"
    try:
        outcome = sync_results(url, os.environ.get("STEPWISE_API_KEY"), agent, items, run_name=run_name)
    except SyncError as error:
        collector.summary.append(f"stepwise: the run was not synced: {error}")
        return
    line = f"stepwise: synced {outcome.synced} test results to run {outcome.test_run_id} — {outcome.dashboard_url}"
    if outcome.duplicates:
        line += f" ({outcome.duplicates} already there)"
    collector.summary.append(line)
    for rejected in outcome.rejected:
        paths = "; ".join(f"{e.get('path')}: {e.get('message')}" for e in rejected.get("errors", []))
        collector.summary.append(f"stepwise: the server rejected result {rejected.get('index')}: {paths}")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    collector = config.stash.get(_STATE, None)
    for line in collector.summary if collector else []:
        terminalreporter.write_line(line)
