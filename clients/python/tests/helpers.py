"""Shared by the tests: a pytest run in a fresh interpreter, as a user's run would be."""

import os

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
PROJECT = os.path.dirname(SRC)


def run_with_plugin(pytester, monkeypatch, *args, env=None, pythonpath=SRC, autoload=False):
    """Runs the pytester project in a subprocess with the plugin loaded from ``pythonpath``.

    With ``autoload`` the plugin is found through its installed ``pytest11`` entry point; without,
    entry points are off and the plugin is named with ``-p`` (so nothing else installed interferes).
    """
    for name in ("STEPWISE_URL", "STEPWISE_API_KEY", "STEPWISE_AGENT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYTHONPATH", pythonpath)
    plugin_args = []
    if autoload:
        monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    else:
        monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        plugin_args = ["-p", "stepwise_pytest.plugin"]
    return pytester.runpytest_subprocess(*plugin_args, "-p", "no:cacheprovider", *args)
