"""A damaged index, damaged for real (files truncated or overwritten with garbage), as
every command meets it: one line naming the damage and exit 7, never a Rust panic, a
segfault, silently partial results, "no index yet", or seeds/ indexed in place of the
user's corpus; `index --check` names the damaged part; `index --rebuild` works from the
damaged index, with the corpus roots kept in roots.json, and keeps the damaged files."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import SEED_SOURCE, SEEDS
from reliability import assert_exactly, error_lines, expected_chunk_ids, inspect_index, run_cli, search_json, write_jsonl

from assistant.config import Settings
from assistant.errors import IndexDamagedError
from assistant.ingest.indexer import run_index
from assistant.store import check, health

pytestmark = pytest.mark.slow

DAMAGED = 7


def garbage(n: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(n)


def overwrite(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def assert_damaged(done, index_dir: Path, part: str) -> None:
    """Exit 7 and exactly one line that names the index, the damaged part and the way out."""
    assert done.returncode == DAMAGED, (done.returncode, done.stderr[-2000:])
    lines = error_lines(done.stderr)
    assert len(lines) == 1, done.stderr[-3000:]
    assert lines[0].startswith(f"error: the index at {index_dir} is damaged ("), lines[0]
    assert part in lines[0] and lines[0].endswith("run `assistant index --rebuild`"), lines[0]


# ---------------------------------------------------------------- a small index (SQLite damage)

@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, Path]:
    """(corpus, index) of the seed article and two more, under a corpus path that is not seeds/."""
    base = tmp_path_factory.mktemp("small")
    corpus = base / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "budget.txt").write_text("City council approves budget\n\nThe city council approved a $2 billion "
                                       "budget on Tuesday. The mayor said parks and libraries would get more money.\n")
    (corpus / "storm.md").write_text("---\ntitle: Storm hits the coast\ndate: 2022-06-14\n---\n\nA storm with winds "
                                     "of 120 km/h hit the coast on Monday. Thousands of homes lost power.\n")
    index_dir = base / "index"
    done = run_cli("index", corpus, "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    return corpus, index_dir


def copy_index(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(source, target)
    return target


def lexical_file(index_dir: Path) -> Path:
    [path] = (index_dir / "lexical").glob("*.sqlite")
    return path


SQLITE_DAMAGE = {
    # name: (damage, what `search` says (None: search does not read that file), the part named, what is moved aside)
    "chroma.sqlite3 truncated to nothing": (lambda d: (d / "chroma" / "chroma.sqlite3").write_bytes(b""), "is empty",
                                            "chroma.sqlite3", "chroma/chroma.sqlite3"),
    "chroma.sqlite3 cut in half": (
        lambda d: (d / "chroma" / "chroma.sqlite3").write_bytes((d / "chroma" / "chroma.sqlite3").read_bytes()[:130_000]),
        "truncated", "chroma.sqlite3", "chroma/chroma.sqlite3"),
    # Page 2 holds Chroma's `migrations` table: Chroma panicked in Rust on opening it (70 lines).
    "chroma.sqlite3 catalogue garbled": (lambda d: overwrite(d / "chroma" / "chroma.sqlite3", 4096, garbage(4096)),
                                         "malformed", "chroma.sqlite3", "chroma/chroma.sqlite3"),
    "records.sqlite garbled": (lambda d: overwrite(d / "records.sqlite", 0, garbage(8192)), None, "records.sqlite",
                               "records.sqlite"),
    "keyword table garbled": (lambda d: overwrite(lexical_file(d), 1024, garbage(16384)), "malformed", "keyword table",
                              "lexical"),
}


@pytest.mark.parametrize("case", list(SQLITE_DAMAGE))
def test_damaged_databases_one_line_then_rebuild_keeps_the_corpus(small, tmp_path, case):
    corpus, source_index = small
    index_dir = copy_index(source_index, tmp_path)
    roots_before = json.loads((index_dir / "roots.json").read_text())
    assert roots_before["roots"] == [str(corpus)]
    (index_dir / "rescore").mkdir()  # other data kept in the index dir must survive a rebuild
    (index_dir / "rescore" / "vectors.sqlite").write_bytes(b"kept")
    damage, search_says, part, moved = SQLITE_DAMAGE[case]
    damage(index_dir)

    searched = run_cli("search", "Who claimed the Ahvaz attack?", "--index-dir", index_dir)
    if search_says is None:
        assert searched.returncode == 0 and SEED_SOURCE in searched.stdout, searched.stderr  # search does not need that file
    else:
        assert_damaged(searched, index_dir, part)
        assert search_says in searched.stderr
    assert_damaged(run_cli("index", "--index-dir", index_dir), index_dir, part)
    checked = run_cli("index", "--check", "--index-dir", index_dir, "--json")
    assert checked.returncode == DAMAGED, checked.stderr
    report = json.loads(checked.stdout)
    assert not report["ok"] and any(part in p["part"] and p["problem"] for p in report["parts"]), report

    rebuilt = run_cli("index", "--rebuild", "--index-dir", index_dir, "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    result = json.loads(rebuilt.stdout)
    assert result["roots"] == [str(corpus)]  # from roots.json when Chroma's own record was lost; never seeds/
    [aside] = index_dir.glob("damaged-*")
    assert any(w["item"] == str(aside) for w in result["warnings"])
    assert (aside / moved).exists()
    assert (index_dir / "rescore" / "vectors.sqlite").read_bytes() == b"kept"
    state = inspect_index(index_dir)
    assert_exactly(state, expected_chunk_ids(corpus), {SEED_SOURCE, "budget.txt", "storm.md"})
    code, data, stderr = search_json(index_dir, "city council budget")
    assert code == 0 and data["results"][0]["source"] == "budget.txt", stderr


def test_a_lost_chroma_file_never_means_no_index_nor_seeds(small, tmp_path):
    """chroma.sqlite3 truncated to nothing used to read as a fresh store: `search` said `no
    index … run assistant index first`, and `assistant index` then indexed seeds/ in place
    of the user's corpus."""
    corpus, source_index = small
    index_dir = copy_index(source_index, tmp_path)
    (index_dir / "chroma" / "chroma.sqlite3").write_bytes(b"")
    assert_damaged(run_cli("search", "budget", "--index-dir", index_dir), index_dir, "chroma.sqlite3 is empty")
    assert_damaged(run_cli("index", "--index-dir", index_dir), index_dir, "chroma.sqlite3 is empty")
    # Nothing was indexed: no collection holds seeds/ (or anything).
    assert inspect_index(index_dir)["collections"] == []
    shutil.rmtree(index_dir / "chroma")
    assert_damaged(run_cli("search", "budget", "--index-dir", index_dir), index_dir, "chroma/ folder is missing")
    assert_damaged(run_cli("index", "--index-dir", index_dir), index_dir, "holds no index")
    rebuilt = run_cli("index", "--rebuild", "--index-dir", index_dir, "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["roots"] == [str(corpus)]
    assert_exactly(inspect_index(index_dir), expected_chunk_ids(corpus), {SEED_SOURCE, "budget.txt", "storm.md"})


def test_an_index_from_before_roots_json_asks_for_its_paths(small, tmp_path):
    """Without roots.json, the records still show an index was there: no "no index", no
    seeds/; --rebuild asks for the corpus paths instead of guessing."""
    corpus, source_index = small
    index_dir = copy_index(source_index, tmp_path)
    (index_dir / "roots.json").unlink()
    (index_dir / "chroma" / "chroma.sqlite3").write_bytes(b"")
    hint = "rebuild it from its corpus paths: assistant index --rebuild PATH..."
    for args in (("search", "budget"), ("index",), ("index", "--rebuild")):
        done = run_cli(*args, "--index-dir", index_dir)
        assert done.returncode == DAMAGED and error_lines(done.stderr)[-1].endswith(hint), done.stderr
    assert inspect_index(index_dir)["collections"] == []  # seeds/ was not indexed
    done = run_cli("index", "--rebuild", corpus, "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    assert_exactly(inspect_index(index_dir), expected_chunk_ids(corpus), {SEED_SOURCE, "budget.txt", "storm.md"})


def test_roots_file_follows_the_roots(small, tmp_path):
    corpus, source_index = small
    index_dir = copy_index(source_index, tmp_path)
    more = write_jsonl(tmp_path / "more" / "rows.jsonl", [{"id": "r1", "title": "Harbour", "text": "The harbour reopened."}])
    done = run_cli("index", more.parent, "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    assert json.loads((index_dir / "roots.json").read_text())["roots"] == [str(corpus), str(more.parent)]
    done = run_cli("index", "--rebuild", more.parent, "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    recorded = json.loads((index_dir / "roots.json").read_text())
    assert recorded["roots"] == [str(more.parent)]
    state = inspect_index(index_dir)
    assert recorded["collection"] == state["collections"][0]["name"] and len(state["collections"]) == 1
    assert json.loads(state["collections"][0]["metadata"]["roots"]) == recorded["roots"]
    assert not list(index_dir.glob(".roots.json*"))  # no temporary file left


# ---------------------------------------------------------------- a persisted HNSW index

BRIEFS = 1030  # Chroma writes HNSW files from 1,000 vectors on (its sync threshold); a smaller index is rebuilt from its log


@pytest.fixture(scope="module")
def persisted(tmp_path_factory, embeddings) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("persisted")
    rng = random.Random(3)
    cities = ["Ahvaz", "Tehran", "Basra", "Mosul", "Tabriz", "Shiraz", "Isfahan", "Kerman", "Qom", "Mashhad"]
    topics = "river bridge council budget harvest storm election museum railway hospital school market".split()
    rows = [{"id": f"brief-{i:04d}", "title": f"{rng.choice(cities)} brief {i}",
             "text": f"Officials discussed the {rng.choice(topics)} with {rng.randint(2, 9999)} residents on day {i}."}
            for i in range(BRIEFS)]
    corpus = write_jsonl(base / "corpus" / "briefs.jsonl", rows).parent
    index_dir = base / "index"
    run_index(Settings(index_dir=index_dir), [corpus], embeddings=embeddings)  # in-process: the session's model is loaded once
    with sqlite3.connect(index_dir / "chroma" / "chroma.sqlite3") as db:
        persisted = db.execute("SELECT count(*) FROM max_seq_id m JOIN segments s ON s.id = m.segment_id "
                               "WHERE s.scope = 'VECTOR'").fetchone()[0]
    assert persisted == 1, "Chroma did not write its HNSW files: the damage below would not be read"
    return corpus, index_dir


def segment(index_dir: Path) -> Path:
    [folder] = [p for p in (index_dir / "chroma").iterdir() if p.is_dir()]
    return folder


HNSW_DAMAGE = {
    # Each of these made `search` and `index` die with a segfault (rc 139, nothing printed),
    # or silently search part of the index.
    "data_level0.bin garbled": (lambda f: overwrite(f / "data_level0.bin", 0, garbage(200_000)), "garbled neighbour list"),
    "data_level0.bin truncated": (lambda f: (f / "data_level0.bin").write_bytes((f / "data_level0.bin").read_bytes()[:100_000]),
                                  "data_level0.bin is truncated"),
    "vectors garbled": (lambda f: overwrite(f / "data_level0.bin", 500_000, garbage(1000)), "not unit length"),
    "header.bin garbled": (lambda f: (f / "header.bin").write_bytes(garbage(100)), "header.bin does not describe"),
    "link_lists.bin garbled": (lambda f: (f / "link_lists.bin").write_bytes(garbage((f / "link_lists.bin").stat().st_size)),
                               "link_lists.bin"),
    "length.bin garbled": (lambda f: (f / "length.bin").write_bytes(garbage((f / "length.bin").stat().st_size)), "length.bin"),
    "index_metadata.pickle garbled": (lambda f: overwrite(f / "index_metadata.pickle", 100, garbage(1000)), "pickle"),
    "vector folder deleted": (lambda f: shutil.rmtree(f), "is missing"),
}


@pytest.mark.parametrize("case", list(HNSW_DAMAGE))
def test_damaged_vector_files_one_line_never_a_segfault(persisted, tmp_path, case):
    _, source_index = persisted
    index_dir = copy_index(source_index, tmp_path)
    damage, says = HNSW_DAMAGE[case]
    damage(segment(index_dir))
    done = run_cli("search", "officials discussed the railway", "--index-dir", index_dir)
    assert done.returncode != -11, "segfault"
    assert_damaged(done, index_dir, says)
    if case == "data_level0.bin garbled":
        assert_damaged(run_cli("index", "--index-dir", index_dir), index_dir, says)
        assert_damaged(run_cli("ask", "Who met the residents?", "--llm", "none", "--index-dir", index_dir), index_dir, says)


def test_check_loads_the_vectors_in_a_child_process(persisted, tmp_path, monkeypatch):
    """Damage the structural probe would miss still cannot crash `index --check`: Chroma
    loads the files in a child process, whose segfault is reported."""
    _, source_index = persisted
    index_dir = copy_index(source_index, tmp_path)
    overwrite(segment(index_dir) / "data_level0.bin", 0, garbage(200_000))
    monkeypatch.setattr(check, "hnsw_problem", lambda segment: None)  # as if the probe saw nothing
    parts = check.check_index(Settings(index_dir=index_dir))
    [vectors] = [p for p in parts if p.name.startswith("vector files")]
    assert vectors.problem == "loading it crashed the process (SIGSEGV)", parts


def test_damaged_vector_files_are_set_aside_for_the_rebuild(persisted, tmp_path):
    """What --rebuild does first when only the HNSW files are damaged (the rest of the
    rebuild is the one the SQLite cases above run whole): Chroma's store goes aside with
    the records and keyword table that describe it; roots.json stays."""
    _, source_index = persisted
    index_dir = copy_index(source_index, tmp_path)
    overwrite(segment(index_dir) / "data_level0.bin", 0, garbage(200_000))
    checked = run_cli("index", "--check", "--index-dir", index_dir)
    assert checked.returncode == DAMAGED and "damaged vector files" in checked.stdout, checked.stdout + checked.stderr
    aside = check.set_aside(index_dir, embedded=True)
    assert aside is not None and sorted(p.name for p in aside.iterdir()) == ["chroma", "lexical", "records.sqlite"]
    assert sorted(p.name for p in index_dir.iterdir() if not p.name.endswith(".lock")) == [aside.name, "roots.json"]


def test_explain_names_the_damaged_file(small, tmp_path):
    """Library callers get the same error as the CLI's users."""
    _, source_index = small
    index_dir = copy_index(source_index, tmp_path)
    overwrite(index_dir / "records.sqlite", 0, garbage(4096))
    error = health.explain(sqlite3.DatabaseError("file is not a database"), index_dir)
    assert isinstance(error, IndexDamagedError) and "records.sqlite" in str(error)
