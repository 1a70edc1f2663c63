"""`pip install ./clients/python` gives a package whose pytest11 entry point loads the plugin."""

import shutil
import subprocess
import sys

import pytest

from helpers import PROJECT, run_with_plugin


def test_pip_install_registers_the_plugin_entry_point(pytester, monkeypatch, tmp_path):
    source = tmp_path / "source"
    shutil.copytree(PROJECT, source, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.egg-info", "build"))
    target = tmp_path / "site"
    # --no-build-isolation and --no-index: setuptools from the machine, nothing from the network.
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "--target", str(target), str(source)],
        capture_output=True,
        text=True,
    )
    if install.returncode != 0 and "No module named pip" in install.stderr:
        pytest.skip("pip is not installed for this python")
    assert install.returncode == 0, install.stderr
    entry_points = next(target.glob("stepwise_pytest-*.dist-info")) / "entry_points.txt"
    assert "[pytest11]" in entry_points.read_text()

    pytester.makepyfile(test_uses_fixture="def test_fixture(stepwise_trace):\n    stepwise_trace.user_input('hi')\n")
    result = run_with_plugin(pytester, monkeypatch, pythonpath=str(target), autoload=True)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["stepwise: STEPWISE_URL is not set; results were not synced"])
