"""Feeds, PDFs and URLs indexed together with real MiniLM and Chroma, from a real HTTP
server on 127.0.0.1: incremental, conditional, and nothing deleted when the network fails."""

import json

import pytest
from documents import make_pdf, news_page, rss
from typer.testing import CliRunner
from webserver import serving

from assistant.config import Settings
from assistant.ingest.indexer import run_index
from assistant.store.chroma import Store
from assistant.ui.cli import app


def paragraphs(topic: str) -> list[str]:
    return [f"The {topic} was the main subject of the meeting on Tuesday, officials said.",
            f"Residents asked how much the {topic} would cost and when the work would start.",
            f"The council promised a report on the {topic} before the end of the summer."]


@pytest.fixture
def web(monkeypatch):
    monkeypatch.setenv("ASSISTANT_FETCH_TIMEOUT", "3")
    with serving() as server:
        server.set("/docks", news_page("Harbour to build two docks", paragraphs("docks"), published="2022-06-15",
                                       author="Jane Doe", site="Harbour Gazette"))
        for i, topic in enumerate(["ferry strike", "bridge repair"]):
            server.set(f"/story/{i}", news_page(topic.title(), paragraphs(topic), site="Harbour Gazette"))
        server.set("/feed", rss([{"title": t.title(), "link": f"{server.url}/story/{i}", "published": f"2022-06-1{i}T08:00:00+00:00",
                                  "summary": f"Short note on the {t}."} for i, t in enumerate(["ferry strike", "bridge repair"])]),
                   content_type="application/rss+xml")
        yield server


def local_corpus(folder):
    folder.mkdir()
    (folder / "gazette.rss").write_bytes(rss([{"title": "Museum reopens", "link": "https://news.test/museum",
                                               "published": "2022-05-02T09:00:00+00:00", "text": "\n\n".join(paragraphs("museum"))}]))
    (folder / "report.pdf").write_bytes(make_pdf([["Port annual report"], paragraphs("grain silo")]))
    return folder


def metadatas(settings):
    collection, _ = Store(settings).require_active()
    return collection.get(include=["metadatas"])["metadatas"]


def test_files_feeds_pdfs_and_urls_in_one_index(tmp_path, web, embeddings):
    settings = Settings(index_dir=tmp_path / "index")
    corpus = local_corpus(tmp_path / "corpus")
    first = run_index(settings, [corpus, web.url + "/docks", web.url + "/feed"], follow=True, embeddings=embeddings)
    assert first.warnings == []
    sources = {m["source"] for m in metadatas(settings)}
    assert sources == {"https://news.test/museum", "report.pdf", web.url + "/docks", web.url + "/story/0", web.url + "/story/1"}
    by_source = {m["source"]: m for m in metadatas(settings) if m["source"] != "report.pdf"}
    assert by_source[web.url + "/docks"]["site"] == "Harbour Gazette" and by_source[web.url + "/docks"]["authors"] == "Jane Doe"
    assert by_source[web.url + "/story/1"]["published"] == "2022-06-11"  # the feed's date, the page has none
    assert {m["page"] for m in metadatas(settings) if m["source"] == "report.pdf"} == {1, 2}
    assert first.fetches == {"fetched": 4, "not_modified": 0, "failed": 0}

    # Nothing changed: every URL is asked conditionally, nothing is embedded.
    web.clear_log()
    again = run_index(settings, embeddings=embeddings)
    assert (again.chunks_embedded, again.chunks_deleted, again.sources_unchanged) == (0, 0, 5)
    assert again.fetches == {"fetched": 0, "not_modified": 4, "failed": 0}
    assert all(r["if_none_match"] and r["status"] == 304 for r in web.log) and len(web.log) == 4

    # One page changes: only it is re-embedded.
    web.set("/docks", news_page("Harbour to build three docks", paragraphs("docks"), published="2022-06-16", site="Harbour Gazette"))
    changed = run_index(settings, embeddings=embeddings)
    assert (changed.sources_updated, changed.sources_unchanged) == (1, 4) and 0 < changed.chunks_embedded <= 2

    # The network fails: everything fetched is kept, and each failing URL says so.
    total = changed.chunks_total
    for path in ("/docks", "/feed", "/story/0", "/story/1"):
        web.set(path, status=503)
    down = run_index(settings, embeddings=embeddings)
    assert (down.chunks_embedded, down.chunks_deleted, down.chunks_total) == (0, 0, total)
    warned = dict(down.warnings)
    assert warned[web.url + "/docks"].startswith("HTTP 503 Service Unavailable; the copy fetched on ")
    # The feed's kept copy still lists the stories: their pages are asked for too, and kept.
    assert set(warned) == {web.url + path for path in ("/docks", "/feed", "/story/0", "/story/1")}
    assert all(reason.endswith(" is kept") for reason in warned.values()) and down.fetches["failed"] == 4
    assert {m["source"] for m in metadatas(settings)} == sources


def test_extract_shows_what_would_be_indexed_and_search_carries_the_metadata(tmp_path, web, embeddings):
    corpus = local_corpus(tmp_path / "corpus")
    runner = CliRunner()
    result = runner.invoke(app, ["extract", str(corpus), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [set(row) for row in rows] == [{"source", "title", "published", "authors", "site", "url", "page_count", "text"}] * 2
    pdf = next(row for row in rows if row["source"] == "report.pdf")
    assert pdf["page_count"] == 2 and pdf["text"].startswith("Port annual report\n\nThe grain silo")
    page = json.loads(runner.invoke(app, ["extract", web.url + "/docks", "--json"]).stdout)
    assert (page["source"], page["site"], page["authors"], page["published"]) == (web.url + "/docks", "Harbour Gazette", ["Jane Doe"], "2022-06-15")

    settings = Settings(index_dir=tmp_path / "index")
    run_index(settings, [corpus, web.url + "/docks"], embeddings=embeddings)
    # Chunk offsets index into the text `extract` shows.
    collection, _ = Store(settings).require_active()
    got = collection.get(include=["metadatas", "documents"])
    for meta, document in zip(got["metadatas"], got["documents"]):
        if meta["source"] == "report.pdf":
            assert pdf["text"][meta["start"]:meta["end"]] in document
    found = json.loads(runner.invoke(app, ["search", "grain silo report", "--json", "--index-dir", str(tmp_path / "index")]).stdout)
    top = found["results"][0]
    assert (top["source"], top["page"], top["site"], top["authors"]) == ("report.pdf", 2, "", [])
    docks = next(r for r in found["results"] if r["source"] == web.url + "/docks")
    assert (docks["site"], docks["authors"], docks["page"]) == ("Harbour Gazette", ["Jane Doe"], None)
    shown = runner.invoke(app, ["search", "grain silo report", "--index-dir", str(tmp_path / "index")]).stdout
    assert "report.pdf, p. 2" in shown and "Harbour Gazette · 2022-06-15" in shown


def test_extract_of_a_url_that_fails_is_a_backend_error(web):
    result = CliRunner().invoke(app, ["extract", web.url + "/nowhere"])
    assert result.exit_code == 6
    assert result.stderr.splitlines() == [f"warning: {web.url}/nowhere: HTTP 404 Not Found",
                                          f"error: nothing extracted: {web.url}/nowhere could not be fetched"]
