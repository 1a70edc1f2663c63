"""Stepwise for pytest: record what your agent did in each test and sync the run to Stepwise.

Standard library only. Install with ``pip install ./clients/python``; the plugin loads itself
(entry point ``pytest11``) and gives tests the ``stepwise_trace`` fixture.
"""

from .client import SyncError, SyncOutcome, sync_results
from .trace import StepwiseTrace

__all__ = ["StepwiseTrace", "SyncError", "SyncOutcome", "sync_results"]
__version__ = "0.1.0"
