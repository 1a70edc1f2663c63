"""The plugin without a server: the fixture, the notes, and the never-throw rule."""

import socket

from helpers import run_with_plugin

AGENT_TESTS = '''
import pytest

def search_kb(query):
    return {"articles": ["Refunds within 14 days."]} if "refund" in query else {"articles": []}

def test_refund(stepwise_trace):
    stepwise_trace.user_input("What is the refund policy?")
    with stepwise_trace.tool("search_kb", query="refund policy") as call:
        call.result = search_kb("refund policy")
    stepwise_trace.response("Refunds within 14 days.")
    assert call.result["articles"]

def test_shipping(stepwise_trace):
    stepwise_trace.user_input("How long is shipping?")
    found = stepwise_trace.wrap_tool("search_kb", search_kb)("shipping")
    stepwise_trace.response("I could not find that.")
    assert found["articles"], "no article about shipping"
'''


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_without_stepwise_url_the_run_is_as_usual_with_a_note(pytester, monkeypatch):
    pytester.makepyfile(test_agent=AGENT_TESTS)
    result = run_with_plugin(pytester, monkeypatch)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["stepwise: STEPWISE_URL is not set; results were not synced"])


def test_an_unreachable_server_is_a_note_and_never_changes_the_outcome(pytester, monkeypatch):
    pytester.makepyfile(test_ok="def test_ok(stepwise_trace):\n    stepwise_trace.user_input('hi')\n")
    result = run_with_plugin(pytester, monkeypatch, env={"STEPWISE_URL": f"http://127.0.0.1:{closed_port()}", "STEPWISE_API_KEY": "sw_x"})
    assert result.ret == 0
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["stepwise: the run was not synced: could not reach http://127.0.0.1:*"])
    assert "sw_x" not in result.stdout.str()


def test_no_stepwise_turns_syncing_off(pytester, monkeypatch):
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    result = run_with_plugin(pytester, monkeypatch, "--no-stepwise", env={"STEPWISE_URL": f"http://127.0.0.1:{closed_port()}"})
    result.assert_outcomes(passed=1)
    assert "stepwise:" not in result.stdout.str()


def test_the_fixture_records_tool_errors_and_reraises_them(pytester, monkeypatch):
    pytester.makepyfile(
        test_tool_error='''
import json
import pytest

def test_tool_error(stepwise_trace):
    with pytest.raises(TimeoutError):
        with stepwise_trace.tool("send_email", to="ann") as call:
            raise TimeoutError("smtp timed out")
    stepwise_trace.custom("retry_scheduled", attempt=2)
    events = stepwise_trace.to_dict("x")["events"]
    assert [e["type"] for e in events] == ["tool_error", "custom"]
    assert events[0]["data"]["error_type"] == "TimeoutError"
    assert events[0]["data"]["parameters"] == {"to": "ann"}
    assert events[1]["data"] == {"attempt": 2, "name": "retry_scheduled"}
    json.dumps(events)
'''
    )
    result = run_with_plugin(pytester, monkeypatch)
    result.assert_outcomes(passed=1)
