"""SIGKILL an `assistant index` run at several points, for real: the next run finishes and
the index then holds exactly the corpus' chunks (no duplicates, no orphans, nothing
missing); readers keep working in between; an interrupted --rebuild never touches the
index in use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from reliability import (
    active,
    assert_exactly,
    expected_chunk_ids,
    inspect_index,
    kill_hard,
    marker,
    records_count,
    run_cli,
    search_json,
    spawn_cli,
    synthetic_row,
    wait_for,
    write_jsonl,
)

from assistant.config import Settings
from assistant.ingest.indexer import run_index

pytestmark = pytest.mark.slow

ARTICLES = 160  # one chunk each: two batches of the indexer (128 + 32)
BATCH = 128

# Dies at an exact point of a batch: right after its vectors are in Chroma but before the
# record manager hears of them (the one window in which the two stores disagree), or
# right after its records are written.
CRASHING_INDEX = textwrap.dedent("""
    import os, signal, sys
    from langchain_chroma import Chroma
    from langchain_classic.indexes import SQLRecordManager

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if os.environ["CRASH_POINT"] == "after_vectors":
        add = Chroma.add_documents
        def add_then_die(self, *args, **kwargs):
            add(self, *args, **kwargs)
            die()
        Chroma.add_documents = add_then_die
    else:
        update = SQLRecordManager.update
        def update_then_die(self, keys, *, group_ids=None, **kwargs):
            update(self, keys, group_ids=group_ids, **kwargs)
            if group_ids is not None:
                die()
        SQLRecordManager.update = update_then_die
    from assistant.ui.cli import main
    sys.argv = ["assistant", *sys.argv[1:]]
    main()
""")


def run_crashing(tmp_path, point: str, *args) -> subprocess.CompletedProcess:
    script = tmp_path / "crashing_index.py"
    script.write_text(CRASHING_INDEX)
    return subprocess.run([sys.executable, script, *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "CRASH_POINT": point})


def lead(row: dict) -> str:
    return row["text"].split("\n")[0]


def test_index_survives_sigkill_at_any_point(tmp_path):
    corpus = tmp_path / "corpus"
    rows = [synthetic_row(i) for i in range(ARTICLES)]
    write_jsonl(corpus / "news.jsonl", rows)
    index_dir = tmp_path / "index"
    args = ("index", corpus, "--index-dir", index_dir, "--json")

    # 1. Killed after one second, while still starting up.
    first = spawn_cli(*args)
    time.sleep(1.0)
    assert kill_hard(first) == -9
    code, data, stderr = search_json(index_dir, "officials in Tabriz")
    if code == 3:  # nothing was created yet
        assert "no index at" in stderr and "Traceback" not in stderr
    else:
        assert code == 0 and data["results"] == []

    # 2. Killed mid-embedding of the first batch: nothing committed yet.
    second = spawn_cli(*args)
    wait_for(lambda: (marker(index_dir) or {}).get("pid") == second.pid, what="the crash marker")
    time.sleep(1.0)
    assert kill_hard(second) == -9, "the run finished before it could be killed"
    assert records_count(index_dir) == 0
    code, data, stderr = search_json(index_dir, "officials in Tabriz")
    assert code == 0 and data["results"] == [], stderr  # an empty but valid index

    # 3. Killed mid-embedding of the second batch: the first one is committed.
    third = spawn_cli(*args)
    wait_for(lambda: records_count(index_dir) >= BATCH, timeout=240, what="the first batch")
    assert kill_hard(third) == -9, "the run finished before it could be killed"
    state = inspect_index(index_dir)
    assert records_count(index_dir) == BATCH
    assert active(state)["count"] == BATCH
    code, data, stderr = search_json(index_dir, lead(rows[7]))
    assert code == 0, stderr
    assert data["results"] and data["results"][0]["source"] == "syn-0007"

    # 4. Killed between writing vectors and recording them: 32 vectors nobody recorded.
    died = run_crashing(tmp_path, "after_vectors", *args)
    assert died.returncode == -9, died.stderr
    state = inspect_index(index_dir)
    assert active(state)["count"] == ARTICLES and records_count(index_dir) == BATCH
    assert marker(index_dir) is not None

    # Meanwhile the corpus changes: five articles whose vectors are orphans are deleted,
    # one committed article is edited and one is added.
    removed = {f"syn-{i:04d}" for i in range(ARTICLES - 5, ARTICLES)}
    rows = [row for row in rows if row["id"] not in removed]
    rows[3] = synthetic_row(3, variant="-edited")
    rows.append(synthetic_row(ARTICLES))
    write_jsonl(corpus / "news.jsonl", rows)

    # 5. The next run (no paths: re-sync) reconciles and finishes.
    done = run_cli("index", "--index-dir", index_dir, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    orphans = ARTICLES - BATCH
    assert report["chunks_deleted"] == orphans + 1  # the orphans, and the edited article's old chunk
    assert report["chunks_embedded"] == (orphans - len(removed)) + 2  # re-added, edited and new
    assert report["chunks_total"] == len(rows)
    assert marker(index_dir) is None

    state = inspect_index(index_dir)
    assert_exactly(state, expected_chunk_ids(corpus), {row["id"] for row in rows})
    code, data, _ = search_json(index_dir, lead(rows[-1]))
    assert code == 0 and data["results"][0]["source"] == f"syn-{ARTICLES:04d}"
    assert not {r["source"] for r in data["results"]} & removed

    # And a run after that has nothing left to do.
    again = json.loads(run_cli("index", "--index-dir", index_dir, "--json").stdout)
    assert (again["chunks_embedded"], again["chunks_deleted"], again["chunks_total"]) == (0, 0, len(rows))


def test_interrupted_rebuild_leaves_the_old_index_in_use(tmp_path, embeddings):
    corpus = tmp_path / "corpus"
    rows = [synthetic_row(i) for i in range(20)]
    write_jsonl(corpus / "news.jsonl", rows)
    index_dir = tmp_path / "index"
    run_index(Settings(index_dir=index_dir), [corpus], embeddings=embeddings)  # the setup, in-process
    before = active(inspect_index(index_dir))
    code, results_before, _ = search_json(index_dir, lead(rows[12]))
    assert code == 0 and results_before["results"][0]["source"] == "syn-0012"

    # SIGKILLed once the new collection holds vectors and records, before it is complete.
    died = run_crashing(tmp_path, "after_records", "index", "--rebuild", "--index-dir", index_dir, "--json")
    assert died.returncode == -9, died.stderr
    assert marker(index_dir)["collection"] != before["name"]

    state = inspect_index(index_dir)
    assert len(state["collections"]) == 2  # the old one and the unfinished new one
    unfinished = [c for c in state["collections"] if not c["metadata"]["complete"]]
    assert [c["count"] for c in unfinished] == [len(rows)]
    assert {ns for ns, _, _ in state["records"]} == {f"{unfinished[0]['name']}:{corpus}", f"{before['name']}:{corpus}"}
    in_use = active(state)
    assert in_use["name"] == before["name"] and sorted(in_use["ids"]) == sorted(before["ids"])
    code, results_during, stderr = search_json(index_dir, lead(rows[12]))
    assert code == 0, stderr
    assert results_during["results"] == results_before["results"]
    answer = run_cli("ask", lead(rows[12]), "--llm", "none", "--json", "--index-dir", index_dir)
    assert answer.returncode == 0 and json.loads(answer.stdout)["citations"]

    again = run_cli("index", "--rebuild", "--index-dir", index_dir, "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["chunks_embedded"] == report["chunks_total"] == len(rows)
    state = inspect_index(index_dir)
    new = assert_exactly(state, expected_chunk_ids(corpus), {row["id"] for row in rows})
    assert new["name"] != before["name"]
    assert set(state["lexical"]) == {new["name"]}, "keyword tables of dropped collections remain"
    assert marker(index_dir) is None


def test_feed_pdf_and_url_sources_survive_sigkill(tmp_path):
    """The same guarantees for a feed file, a PDF and a feed URL whose entries' pages are
    fetched (--follow): killed in the middle of a batch and right after a batch's vectors
    reach Chroma, the next runs end with exactly the chunks the readers give, and a run on
    unchanged sources fetches conditionally and embeds nothing."""
    from documents import make_pdf, news_page, rss
    from webserver import serving

    from assistant.ingest.chunking import chunk_article, chunk_key
    from assistant.ingest.fetch import client
    from assistant.ingest.problems import Problems
    from assistant.ingest.urls import read_url

    rows = [synthetic_row(i) for i in range(190)]  # 20 feed entries, 20 PDF pages, 150 pages: one chunk each
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "wire.rss").write_bytes(rss([{"title": r["title"], "link": f"https://wire.test/{r['id']}",
                                            "published": r["published"] + "T08:00:00+00:00", "text": r["text"]} for r in rows[:20]]))
    (corpus / "report.pdf").write_bytes(make_pdf([r["text"].split("\n\n") for r in rows[20:40]]))
    index_dir = tmp_path / "index"

    def page(row):
        return news_page(row["title"], row["text"].split("\n\n"), published=row["published"], site="Wire")

    with serving() as web:
        for r in rows[40:]:
            web.set(f"/story/{r['id']}", page(r))
        web.set("/feed", rss([{"title": r["title"], "link": f"{web.url}/story/{r['id']}", "published": r["published"] + "T08:00:00+00:00",
                               "summary": "See the page."} for r in rows[40:]]), content_type="application/rss+xml")
        feed = web.url + "/feed"

        def expected():
            from langchain_core.documents import Document

            with client() as http:
                articles = list(read_url(feed, True, http, None, Problems()))
            ids = {chunk_key(Document(page_content=c.text, metadata=c.metadata)) for a in articles for c in chunk_article(a, feed)}
            return ids | expected_chunk_ids(corpus), {a.source for a in articles}

        args = ("index", corpus, feed, "--follow", "--index-dir", index_dir, "--json")
        run = spawn_cli(*args)
        # The corpus (40 chunks) is synced first, then the feed's pages in batches of 128.
        wait_for(lambda: records_count(index_dir) >= 40 + BATCH, timeout=240, what="the first batch of pages")
        assert kill_hard(run) == -9, "the run finished before it could be killed"
        assert records_count(index_dir) == 40 + BATCH

        died = run_crashing(tmp_path, "after_vectors", "index", "--index-dir", index_dir, "--json")
        assert died.returncode == -9, died.stderr
        assert marker(index_dir) is not None
        web.set(f"/story/{rows[100]['id']}", page(synthetic_row(100, variant="-edited")))  # a page changes meanwhile

        done = run_cli("index", "--index-dir", index_dir, "--json")
        assert done.returncode == 0, done.stderr
        ids, url_sources = expected()
        pdf_and_wire = {"report.pdf"} | {f"https://wire.test/{r['id']}" for r in rows[:20]}
        collection = assert_exactly(inspect_index(index_dir), ids, pdf_and_wire | url_sources)
        assert len(url_sources) == 150 and len(collection["ids"]) >= 190
        code, data, stderr = search_json(index_dir, lead(synthetic_row(100, variant="-edited")))
        assert code == 0 and data["results"][0]["source"] == f"{web.url}/story/{rows[100]['id']}", stderr

        web.clear_log()
        again = run_cli("index", "--index-dir", index_dir, "--json")
        report = json.loads(again.stdout)
        assert (report["chunks_embedded"], report["chunks_deleted"]) == (0, 0)
        assert report["fetches"] == {"fetched": 0, "not_modified": 151, "failed": 0}
        assert all(r["status"] == 304 and r["if_none_match"] for r in web.log)
    assert_exactly(inspect_index(index_dir), ids, pdf_and_wire | url_sources)
