"""Sends results to a Stepwise server: ``POST /api/v1/sync`` with a bearer API key (urllib only)."""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

RETRYABLE = {408, 425, 429, 500, 502, 503, 504}
# The server takes at most 1000 results per request; bigger runs go in several that append to one run.
BATCH = 500


class SyncError(Exception):
    """Why a sync did not go through (never raised into a test run by the plugin)."""

    def __init__(self, message: str, status: Optional[int] = None, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass
class SyncOutcome:
    test_run_id: Optional[str] = None
    dashboard_url: Optional[str] = None
    synced: int = 0
    duplicates: int = 0
    rejected: List[Dict[str, Any]] = field(default_factory=list)


def sync_results(
    url: str,
    api_key: Optional[str],
    agent_name: str,
    results: List[Dict[str, Any]],
    run_name: Optional[str] = None,
    retries: int = 3,
    backoff_s: float = 0.25,
    timeout_s: float = 15.0,
) -> SyncOutcome:
    """Syncs ``results`` into one new test run and returns what the server said; raises ``SyncError``."""
    outcome = SyncOutcome()
    base = url.rstrip("/")
    for start in range(0, max(len(results), 1), BATCH):
        body: Dict[str, Any] = {"agent_name": agent_name, "results": results[start : start + BATCH], "source": "ci"}
        if outcome.test_run_id:
            body["test_run_id"] = outcome.test_run_id
        elif run_name:
            body["name"] = run_name
        reply = _post(f"{base}/api/v1/sync", api_key, body, retries, backoff_s, timeout_s)
        outcome.test_run_id = reply.get("test_run_id")
        outcome.dashboard_url = reply.get("dashboard_url")
        outcome.synced += int(reply.get("synced", 0))
        outcome.duplicates += int(reply.get("duplicates", 0))
        outcome.rejected.extend(reply.get("rejected", []))
    return outcome


def _post(url: str, api_key: Optional[str], body: Dict[str, Any], retries: int, backoff_s: float, timeout_s: float) -> Dict[str, Any]:
    data = json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "stepwise-pytest/0.1.0"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    attempt = 0
    while True:
        reply, retry_after = _attempt(url, data, headers, timeout_s)
        if isinstance(reply, dict):
            return reply
        error: SyncError = reply
        if attempt >= retries or not _retryable(error):
            raise error
        delay = retry_after if retry_after is not None else backoff_s * (2**attempt) * (0.5 + random.random() / 2)
        time.sleep(min(delay, 30.0))
        attempt += 1


def _retryable(error: SyncError) -> bool:
    return error.status is None or error.status in RETRYABLE


def _attempt(url: str, data: bytes, headers: Dict[str, str], timeout_s: float) -> Any:
    """One request: (reply, None) on success, else (SyncError, seconds to wait or None)."""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return json.loads(response.read().decode("utf-8")), None
    except urllib.error.HTTPError as http_error:
        detail = _error_detail(http_error.read())
        message = f"POST {url} answered {http_error.code}" + (f": {detail.get('message')}" if detail.get("message") else "")
        retry_after = http_error.headers.get("Retry-After") if http_error.headers else None
        wait = float(retry_after) if retry_after and retry_after.isdigit() else None
        return SyncError(message, status=http_error.code, code=detail.get("code")), wait
    except (urllib.error.URLError, OSError, ValueError) as network_error:
        reason = getattr(network_error, "reason", network_error)
        return SyncError(f"could not reach {url}: {reason}"), None


def _error_detail(raw: bytes) -> Dict[str, Any]:
    try:
        parsed = json.loads(raw.decode("utf-8"))
        error = parsed.get("error") if isinstance(parsed, dict) else None
        return error if isinstance(error, dict) else {}
    except (ValueError, UnicodeDecodeError):
        return {"message": raw[:200].decode("utf-8", "replace")}
