"""End to end: the plugin syncs a real pytest run into a real Stepwise server, read back over its API.

The server is the repository's own (`node packages/server/bin/stepwise.js serve`); the test skips,
saying why, only when that server has not been built.
"""

import json
import os
import queue
import re
import shutil
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

from helpers import run_with_plugin

REPO = Path(__file__).resolve().parents[3]
SERVER_BIN = REPO / "packages" / "server" / "bin" / "stepwise.js"
SERVER_BUILD = REPO / "packages" / "server" / "dist" / "bin.js"


@pytest.fixture(scope="module")
def stepwise_server(tmp_path_factory):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH; the end-to-end test needs the Stepwise server")
    if not SERVER_BUILD.exists():
        pytest.skip(f"the Stepwise server is not built ({SERVER_BUILD} is missing); run `npm run build` first")
    db = tmp_path_factory.mktemp("stepwise") / "server.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEPWISE_")}
    process = subprocess.Popen(
        [node, str(SERVER_BIN), "serve", "--host", "127.0.0.1", "--port", "0", "--db", str(db), "--no-demo", "--auth", "required"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: "queue.Queue[str]" = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    url = key = None
    seen = []
    try:
        while url is None or key is None:
            line = lines.get(timeout=60)
            seen.append(line)
            url = url or _match(r"listening on (http://\S+)", line)
            key = key or _match(r"^\s+(sw_\S+)\s*$", line)
    except queue.Empty:
        process.kill()
        pytest.fail("the Stepwise server did not print its URL and API key within 60 s:\n" + "".join(seen))
    yield {"url": url, "key": key}
    process.terminate()
    process.wait(timeout=15)


def _match(pattern, line):
    found = re.search(pattern, line)
    return found.group(1) if found else None


def get(server, path):
    request = urllib.request.Request(server["url"] + path, headers={"Authorization": f"Bearer {server['key']}"})
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read().decode("utf-8"))


AGENT_TESTS = '''
import pytest

KB = {"refund policy": ["Refunds within 14 days."]}

def search_kb(query):
    return {"articles": KB.get(query, [])}

@pytest.mark.stepwise("refund-policy")
def test_refund(stepwise_trace):
    stepwise_trace.user_input("What is the refund policy?")
    stepwise_trace.metadata(model="gpt-4o-mini", tokens={"input": 40, "output": 12, "total": 52})
    found = stepwise_trace.wrap_tool("search_kb", search_kb)("refund policy")
    stepwise_trace.response("Refunds within 14 days.")
    assert found["articles"]

def test_shipping(stepwise_trace):
    stepwise_trace.user_input("How long is shipping?")
    with stepwise_trace.tool("search_kb", query="shipping") as call:
        call.result = search_kb("shipping")
    stepwise_trace.tool_error("escalate", TimeoutError("ticket system timed out"), parameters={"topic": "shipping"})
    stepwise_trace.response("Shipping takes 2 days.")
    stepwise_trace.expected = {"forbidden_tools": ["search_kb"]}
    assert call.result["articles"], "answered without an article"

def test_plain():
    assert True

@pytest.fixture
def broken():
    raise RuntimeError("database not ready")

def test_setup_error(broken):
    pass

@pytest.mark.skip(reason="not today")
def test_skipped():
    pass

@pytest.mark.xfail(reason="known gap")
def test_expected_failure():
    assert False
'''


def test_a_pytest_run_lands_as_one_run_with_pass_fail_and_tool_calls(pytester, monkeypatch, stepwise_server):
    pytester.makepyfile(test_agent=AGENT_TESTS)
    env = {"STEPWISE_URL": stepwise_server["url"], "STEPWISE_API_KEY": stepwise_server["key"]}
    result = run_with_plugin(pytester, monkeypatch, "--stepwise-agent", "py-support-agent", "--stepwise-run-name", "pytest e2e", env=env)
    result.assert_outcomes(passed=2, failed=1, errors=1, skipped=1, xfailed=1)
    result.stdout.fnmatch_lines(["stepwise: synced 4 test results to run * — http://127.0.0.1:*/runs/*"])
    run_id = re.search(r"to run (\S+)", result.stdout.str()).group(1)

    runs = get(stepwise_server, "/api/v1/runs?agent=py-support-agent")
    assert [r["id"] for r in runs["runs"]] == [run_id]  # one sync, one run
    run = get(stepwise_server, f"/api/v1/runs/{run_id}")
    assert run["run"]["name"] == "pytest e2e"
    assert run["run"]["source"] == "ci"
    by_scenario = {r["scenario_id"]: r for r in run["results"]}
    assert sorted(by_scenario) == ["refund-policy", "test_agent.py::test_plain", "test_agent.py::test_setup_error", "test_agent.py::test_shipping"]
    assert by_scenario["refund-policy"]["reported_passed"] is True
    assert by_scenario["refund-policy"]["tool_path"] == ["search_kb"]
    assert by_scenario["test_agent.py::test_shipping"]["reported_passed"] is False
    assert by_scenario["test_agent.py::test_shipping"]["tool_path"] == ["search_kb", "escalate"]
    assert by_scenario["test_agent.py::test_setup_error"]["reported_passed"] is False
    assert by_scenario["test_agent.py::test_plain"]["reported_passed"] is True

    refund = get(stepwise_server, f"/api/v1/traces/{by_scenario['refund-policy']['id']}")["trace"]
    assert [e["type"] for e in refund["events"]] == ["user_input", "metadata", "tool_call", "agent_response"]
    call = refund["events"][2]["data"]
    assert call["tool"] == "search_kb"
    assert call["parameters"] == {"query": "refund policy"}
    assert call["result"] == {"articles": ["Refunds within 14 days."]}
    detail = get(stepwise_server, f"/api/v1/traces/{by_scenario['test_agent.py::test_shipping']['id']}")
    assert "answered without an article" in detail["notes"]
    assert detail["expected"] == {"forbidden_tools": ["search_kb"]}
    assert [c["kind"] for c in detail["evaluation"]["checks"] if not c.get("passed", False)] == ["forbidden_tool"]
    shipping = detail["trace"]
    error = next(e for e in shipping["events"] if e["type"] == "tool_error")
    assert error["data"] == {"tool": "escalate", "error_type": "TimeoutError", "message": "ticket system timed out", "parameters": {"topic": "shipping"}}


def test_a_refused_api_key_is_reported_and_the_tests_keep_their_outcome(pytester, monkeypatch, stepwise_server):
    pytester.makepyfile(test_ok="def test_ok(stepwise_trace):\n    stepwise_trace.user_input('hi')\n")
    result = run_with_plugin(pytester, monkeypatch, env={"STEPWISE_URL": stepwise_server["url"], "STEPWISE_API_KEY": "sw_not_a_key"})
    assert result.ret == 0
    result.stdout.fnmatch_lines(["stepwise: the run was not synced: POST http://127.0.0.1:*/api/v1/sync answered 401*"])
    assert "sw_not_a_key" not in result.stdout.str()
