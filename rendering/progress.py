from collections.abc import Callable


class ProgressBar:
    """A plain-text bar redrawn in place (`\\r`), only when the shown percentage changes."""

    def __init__(self, write: Callable[[str], None] | None, label: str, total: int, unit: str):
        self.write, self.label, self.total, self.unit = write, label, max(total, 0), unit
        self.done, self.shown = 0, None

    def advance(self, step: int = 1) -> None:
        self.done = min(self.done + step, self.total) if self.total else self.done + step
        self._draw()

    def _draw(self) -> None:
        if self.write is None:
            return
        share = self.done / self.total if self.total else 1.0
        percent = int(share * 100)
        if percent == self.shown:
            return
        self.shown = percent
        filled = int(share * 30)
        bar = "#" * filled + "." * (30 - filled)
        self.write(f"\r{self.label:<10} [{bar}] {percent:3d}% {self.done}/{self.total} {self.unit}")

    def finish(self) -> None:
        self.done = self.total
        if self.write is None:
            return
        if self.shown != 100:
            self._draw()
        self.write("\n")
