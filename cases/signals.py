"""Signals that let the workload app follow the log without the log importing it.

`assistance_requests_changed` is sent inside the write's transaction with the association id
and the set of months ("YYYY-MM") whose figures the write changed.
"""

from django.dispatch import Signal

assistance_requests_changed = Signal()
