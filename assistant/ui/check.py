"""`assistant index --check`: every part of the index, one line each, and exit 7 when a
part is damaged."""

from __future__ import annotations

import json

from ..config import Settings
from ..errors import IndexDamagedError, NoIndexError
from . import render


def check_index(settings: Settings, as_json: bool) -> None:
    from ..ingest.indexer import index_lock
    from ..store.check import check_index as check

    if not settings.chroma_url and not settings.index_dir.exists():
        raise NoIndexError(f"no index at {settings.index_dir}: nothing to check")
    with index_lock(settings.index_dir):  # no `index` run may write while the parts are compared
        parts = check(settings)
    damaged = [part for part in parts if part.problem]
    if as_json:
        print(json.dumps({"index": str(settings.chroma_url or settings.index_dir), "ok": not damaged,
                          "parts": [{"part": p.name, "ok": not p.problem, "problem": p.problem, "note": p.note or None}
                                    for p in parts]}))
    else:
        for part in parts:
            state = "[red]damaged[/]" if part.problem else "[green]ok[/]     "
            detail = part.problem or part.note
            render.line(render.out, f"{state} {render.escape(part.name)}{': ' + render.escape(detail) if detail else ''}")
    if damaged:
        raise IndexDamagedError(settings.index_dir, f"{damaged[0].name}: {damaged[0].problem}")
