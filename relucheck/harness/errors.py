"""The one exception type the harness raises for problems a user can fix (bad name, bad path)."""

from __future__ import annotations


class HarnessError(Exception):
    """A user-facing error: the CLI prints ``relucheck: error: <message>`` and exits 2."""
