"""Embedded Chroma is single-process: every process that opens a collection loads, and for a
small index re-creates, the HNSW files on disk. So every call on the embedded client and
its collections holds one lock file per index dir (`Serialized`), and a call that meets a
full disk or damage becomes one line (space.py, health.py)."""

from __future__ import annotations

from pathlib import Path

from ..errors import BackendError, Terminated, one_line
from . import health, space

# One Chroma call waits this long for another process's call to finish. Calls take
# milliseconds to a few seconds (loading a large index); only a stuck process waits longer.
LOCK_WAIT = 120.0


def chroma_lock(index_dir: Path):
    """The lock shared by every process that uses the embedded Chroma under `index_dir`
    (one object per path in a process, so nested calls re-enter it)."""
    from filelock import FileLock

    return _Waiting(FileLock(str(index_dir / "chroma.lock"), is_singleton=True), index_dir)


class _Waiting:
    """A file lock whose timeout is a one-line error for the user."""

    def __init__(self, lock, index_dir: Path) -> None:
        self.lock = lock
        self.index_dir = index_dir

    def __enter__(self) -> None:
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=LOCK_WAIT)
        except Timeout:
            raise BackendError(
                f"the index at {self.index_dir} has been busy for {LOCK_WAIT:.0f} s: "
                "another process is stuck in it; stop that process and try again"
            ) from None
        except OSError as exc:
            raise BackendError(f"cannot lock the index at {self.index_dir}: {one_line(exc)}") from exc

    def __exit__(self, *exc_info) -> None:
        self.lock.release()


class Serialized:
    """A Chroma client or collection whose every method call holds `lock`; collections it
    returns are wrapped the same way. Attributes (name, metadata) pass through."""

    def __init__(self, target, lock, index_dir: Path | None = None) -> None:
        self._target = target
        self._lock = lock
        self._index_dir = index_dir

    def __getattr__(self, name: str):
        value = getattr(self._target, name)
        if not callable(value):
            return value

        def call(*args, **kwargs):
            with self._lock:
                if self._index_dir is None:
                    result = value(*args, **kwargs)
                else:
                    if space.is_write(name):
                        # Chroma may rewrite its HNSW files in this call: a full disk there damages them.
                        space.require_space(self._index_dir)
                    try:
                        result = value(*args, **kwargs)
                    except BaseException as exc:  # a Rust panic is a BaseException
                        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, Terminated)):
                            raise
                        if (error := health.explain(exc, self._index_dir)) is None:
                            raise
                        raise error from exc
            return self._wrap(result)

        return call

    def _wrap(self, result):
        from chromadb.api.models.Collection import Collection

        if isinstance(result, Collection):
            return Serialized(result, self._lock, self._index_dir)
        if isinstance(result, list) and result and isinstance(result[0], Collection):
            return [Serialized(item, self._lock, self._index_dir) for item in result]
        return result
