"""A full disk, for real: the index lives on a small tmpfs (the tests run as root). An
`index` run that does not fit stops with one line (`no space left on DIR`, exit 8)
while there is still room, and the index as it was stays searchable and whole. Before
the fix Chroma ran out of space in the middle of writing its HNSW files: `unexpected
InternalError: Error in compaction…`, then every `search` failed too, and the vector
files were left damaged (an empty index_metadata.pickle) even after space was freed."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SEED_SOURCE, SEEDS
from reliability import assert_exactly, error_lines, expected_chunk_ids, inspect_index, run_cli, search_json, write_jsonl

pytestmark = pytest.mark.slow

NO_SPACE = 8
SIZE_MB = 10


@pytest.fixture
def disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def briefs(folder: Path, count: int) -> Path:
    rng = random.Random(5)
    rows = [{"id": f"brief-{i:04d}", "title": f"Brief {i}",
             "text": f"Officials discussed the {rng.choice(['bridge', 'budget', 'harvest', 'museum'])} with "
                     f"{rng.randint(2, 9999)} residents on day {i}."} for i in range(count)]
    return write_jsonl(folder / "briefs.jsonl", rows).parent


def free_mb(path: Path) -> float:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize / 2**20


def assert_no_space(done, index_dir: Path) -> None:
    assert done.returncode == NO_SPACE, (done.returncode, done.stderr[-3000:])
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"error: no space left on {index_dir} ("), done.stderr[-3000:]


def test_a_run_that_does_not_fit_stops_in_time_and_the_old_index_stays_usable(disk, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    index_dir = disk / "index"
    assert run_cli("index", corpus, "--index-dir", index_dir).returncode == 0
    before = inspect_index(index_dir)
    code, first, stderr = search_json(index_dir, "Who claimed the Ahvaz attack?")
    assert code == 0 and first["results"][0]["source"] == SEED_SOURCE, stderr

    big = briefs(tmp_path / "big", 400)  # about 3 MB in the index: more than the room left above the margin
    done = run_cli("index", big, "--index-dir", index_dir)
    assert_no_space(done, index_dir)
    assert free_mb(disk) > 4, "the run should have stopped while there was room left"

    # The index as it was is searchable, and nothing in it is damaged.
    code, data, stderr = search_json(index_dir, "Who claimed the Ahvaz attack?")
    assert code == 0 and data["results"][0]["source"] == SEED_SOURCE, stderr
    checked = run_cli("index", "--check", "--index-dir", index_dir, "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["ok"]

    # A --rebuild needs room for a second copy: it stops too, and drops its half-made
    # collection, so the space comes back and the old index stays the one in use.
    rebuilt = run_cli("index", "--rebuild", "--index-dir", index_dir)
    assert_no_space(rebuilt, index_dir)
    state = inspect_index(index_dir)
    assert [c["name"] for c in state["collections"]] == [c["name"] for c in before["collections"]]
    code, data, stderr = search_json(index_dir, "Who claimed the Ahvaz attack?")
    assert code == 0 and data["results"][0]["source"] == SEED_SOURCE, stderr

    # With room again (and a smaller corpus), the next plain run finishes what was started.
    subprocess.run(["mount", "-o", "remount,size=40m", str(disk)], check=True)
    big.joinpath("briefs.jsonl").write_text("".join(big.joinpath("briefs.jsonl").read_text().splitlines(True)[:40]))
    done = run_cli("index", "--index-dir", index_dir, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["chunks_total"] == len(before["collections"][0]["ids"]) + 40
    assert_exactly(inspect_index(index_dir), expected_chunk_ids(corpus, big), {SEED_SOURCE} | {f"brief-{i:04d}" for i in range(40)})
