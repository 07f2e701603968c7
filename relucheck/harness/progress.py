"""Progress display: a rich bar on a terminal, else one plain line per finished unit.

Plain line: ``[3/12] CE gaussian-d3-ab12: 9 PASS, 1 SKIPPED (4.2 s)``. :meth:`close`
always prints one final tally line.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from relucheck.harness.runner import UnitEvent
from relucheck.harness.tables import format_counts, verdict_counts


class Progress:
    """A progress callback for :func:`relucheck.harness.runner.run` (call it with events)."""

    def __init__(self, stream: TextIO | None = None, *, rich: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", lambda: False)
        self.use_rich = isatty() if rich is None else rich
        self.started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, event: UnitEvent) -> None:
        if event.kind == "start":
            self._start(event)
        elif self._bar is not None:
            line = f"{event.claim} {event.instance_id}: {format_counts(event.verdicts)}"
            self._bar.update(self._task, completed=event.done, description=line, refresh=True)
        else:
            self._line(
                f"[{event.done}/{event.total}] {event.claim} {event.instance_id}: "
                f"{format_counts(event.verdicts)} ({event.seconds:.1f} s)"
            )

    def _start(self, event: UnitEvent) -> None:
        if event.skipped:
            self._line(f"resuming: {event.skipped} of {event.total} units already done")
        if not self.use_rich:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=self.stream)
        # auto_refresh=False: no refresh thread in the parent, which forks workers.
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            auto_refresh=False,
            transient=False,
        )
        self._bar.start()
        self._task = self._bar.add_task("running", total=event.total, completed=event.done)
        self._bar.refresh()

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def close(self, rows: list[dict[str, Any]]) -> str:
        """Stop the bar and print the final tally line; return it."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        units = len({(r.get("claim"), r.get("instance_id")) for r in rows})
        tally = (
            f"relucheck: {units} units, {len(rows)} rows: {format_counts(verdict_counts(rows))} "
            f"({time.monotonic() - self.started:.1f} s)"
        )
        self._line(tally)
        return tally
