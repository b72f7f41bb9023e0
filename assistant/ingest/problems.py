"""Collects what went wrong with which item while reading: bad items are left out, the
rest is read, and the user is told as it happens."""

from __future__ import annotations

from typing import Callable


class Problems:
    """Collects what went wrong with which item, and tells the caller as it happens."""

    def __init__(self, on_warning: Callable[[str, str], None] | None = None) -> None:
        self.warnings: list[tuple[str, str]] = []
        # Files that exist but could not be read this time: what was indexed from them is kept.
        self.unreadable: set[str] = set()
        self._on_warning = on_warning

    def __call__(self, item: str, reason: str) -> None:
        self.warnings.append((item, reason))
        if self._on_warning:
            self._on_warning(item, reason)

    def cannot_read(self, item: str, exc: OSError) -> None:
        self.unreadable.add(item)
        self(item, f"unreadable ({exc.strerror or exc})")
