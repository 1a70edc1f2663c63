"""The trace builder: one test's steps in the Stepwise trace format."""

from __future__ import annotations

import inspect
import json
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterator, List, Optional


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _jsonable(value: Any) -> Any:
    """Tool results travel as JSON; anything json cannot encode is kept as its repr."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def new_trace_id() -> str:
    return "tr_" + uuid.uuid4().hex


class ToolCall:
    """What ``with trace.tool(...) as call`` hands out: set ``call.result`` before the block ends."""

    def __init__(self) -> None:
        self.result: Any = None


class StepwiseTrace:
    """Records a test's steps: user input, tool calls with parameters and results, errors, the response.

    Example::

        def test_refund(stepwise_trace):
            stepwise_trace.user_input("What is your refund policy?")
            stepwise_trace.tool_call("search_kb", {"query": "refund policy"}, result={"hits": 1})
            stepwise_trace.response("Refunds within 14 days.")
    """

    def __init__(self, scenario_id: Optional[str] = None, trace_id: Optional[str] = None) -> None:
        self.scenario_id = scenario_id
        self.trace_id = trace_id or new_trace_id()
        self.timestamp = _now()
        self.events: List[Dict[str, Any]] = []
        self.metadata_fields: Dict[str, Any] = {}
        self.expected: Optional[Dict[str, Any]] = None
        self._started = time.monotonic()

    def scenario(self, scenario_id: str) -> "StepwiseTrace":
        """Names the scenario (by default the test's node id)."""
        self.scenario_id = scenario_id
        return self

    def user_input(self, message: str) -> "StepwiseTrace":
        return self._push("user_input", {"message": str(message)})

    def reasoning(self, text: str) -> "StepwiseTrace":
        return self._push("agent_reasoning", {"text": str(text)})

    def tool_call(
        self,
        tool: str,
        parameters: Optional[Dict[str, Any]] = None,
        result: Any = None,
        duration_ms: Optional[float] = None,
        call_id: Optional[str] = None,
    ) -> "StepwiseTrace":
        data: Dict[str, Any] = {"tool": tool, "parameters": _jsonable(dict(parameters or {}))}
        if result is not None:
            data["result"] = _jsonable(result)
        if duration_ms is not None:
            data["duration_ms"] = max(0.0, float(duration_ms))
        if call_id is not None:
            data["call_id"] = call_id
        return self._push("tool_call", data)

    def tool_error(
        self,
        tool: str,
        error: Any,
        parameters: Optional[Dict[str, Any]] = None,
        error_type: Optional[str] = None,
        duration_ms: Optional[float] = None,
        call_id: Optional[str] = None,
    ) -> "StepwiseTrace":
        """A failed tool call; ``error`` is an exception or a message."""
        kind = error_type or (type(error).__name__ if isinstance(error, BaseException) else "Error")
        data: Dict[str, Any] = {"tool": tool, "error_type": kind, "message": str(error)}
        if parameters is not None:
            data["parameters"] = _jsonable(dict(parameters))
        if duration_ms is not None:
            data["duration_ms"] = max(0.0, float(duration_ms))
        if call_id is not None:
            data["call_id"] = call_id
        return self._push("tool_error", data)

    def response(self, message: str, tokens_used: Optional[int] = None) -> "StepwiseTrace":
        data: Dict[str, Any] = {"message": str(message)}
        if tokens_used is not None:
            data["tokens_used"] = tokens_used
        return self._push("agent_response", data)

    def custom(self, name: str, **data: Any) -> "StepwiseTrace":
        """A user-defined event: ``custom("cache_hit", key="refund")``."""
        return self._push("custom", {**_jsonable(data), "name": name})

    def metadata(self, **data: Any) -> "StepwiseTrace":
        """A metadata event: ``metadata(model="gpt-4o", tokens={"input": 10, "output": 5})``."""
        return self._push("metadata", _jsonable(data))

    @contextmanager
    def tool(self, name: str, **parameters: Any) -> Iterator[ToolCall]:
        """Times a tool call; an exception is recorded as a tool error and re-raised.

        Example::

            with stepwise_trace.tool("search_kb", query="refund") as call:
                call.result = search_kb("refund")
        """
        call = ToolCall()
        start = time.monotonic()
        try:
            yield call
        except Exception as error:
            self.tool_error(name, error, parameters=parameters, duration_ms=(time.monotonic() - start) * 1000)
            raise
        self.tool_call(name, parameters, result=call.result, duration_ms=(time.monotonic() - start) * 1000)

    def wrap_tool(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Wraps a tool function so each call is recorded; return values and exceptions are the function's own."""

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            parameters = _parameters(fn, args, kwargs)
            with self.tool(name, **parameters) as call:
                call.result = fn(*args, **kwargs)
            return call.result

        wrapped.__name__ = getattr(fn, "__name__", name)
        wrapped.__doc__ = getattr(fn, "__doc__", None)
        return wrapped

    def to_dict(self, default_scenario: str = "") -> Dict[str, Any]:
        """The trace in the wire format (``EmbeddedTrace``)."""
        trace: Dict[str, Any] = {
            "trace_id": self.trace_id,
            "scenario_id": self.scenario_id or default_scenario,
            "timestamp": self.timestamp,
            "duration_ms": round((time.monotonic() - self._started) * 1000, 3),
            "events": [dict(e) for e in self.events],
        }
        if self.metadata_fields:
            trace["metadata"] = dict(self.metadata_fields)
        return trace

    def _push(self, kind: str, data: Dict[str, Any]) -> "StepwiseTrace":
        self.events.append({"type": kind, "timestamp": _now(), "data": data})
        return self


def _parameters(fn: Callable[..., Any], args: Any, kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """Names positional arguments after the function's parameters when it has a signature."""
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
        return dict(bound.arguments)
    except (TypeError, ValueError):
        return {"args": list(args), **kwargs} if args else dict(kwargs)
