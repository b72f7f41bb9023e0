"""Fetching against a real HTTP server on 127.0.0.1 (tests/webserver.py): every failure is
one line naming the URL and the cause, conditional requests, kept copies, feeds followed."""

import pytest
from documents import make_pdf, news_page, rss
from reliability import free_port
from webserver import serving

from assistant.ingest.fetch import FetchError, client, fetch
from assistant.ingest.fetched import Fetched
from assistant.ingest.problems import Problems
from assistant.ingest.urls import FetchCounts, read_url

DOCKS = ["The harbour authority will build two new docks next year, its director said on Tuesday.",
         "Work starts in March and will cost 40 million euros, paid by the port and the region.",
         "Fishermen fear the works will close the old quay for most of the summer season."]


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("ASSISTANT_FETCH_TIMEOUT", "2")
    with serving() as running:
        yield running


def read(server, path, store=None, follow=False):
    problems, counts = Problems(), FetchCounts()
    with client() as http:
        articles = list(read_url(server.url + path, follow, http, store, problems, counts))
    return articles, problems, counts


def test_each_failure_is_one_line_naming_its_cause(server):
    server.set("/missing", status=404)
    server.set("/broken", b"oops", status=500)
    server.set("/slow", b"<html><body><p>" + b"word " * 40 + b"</p></body></html>", drip_seconds=0.3)
    server.set("/huge", endless=True)
    server.set("/loop", location="/loop-back", status=302)
    server.set("/loop-back", location="/loop", status=302)
    server.set("/photo", b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png")
    expected = {
        "/missing": "HTTP 404 Not Found",
        "/broken": "HTTP 500 Internal Server Error",
        "/slow": "timed out after 2 s (ASSISTANT_FETCH_TIMEOUT sets the limit)",
        "/huge": "too large (more than the limit of 10 MiB)",
        "/loop": "too many redirects (more than 5)",
        "/photo": "unsupported content type image/png: not a page, feed or PDF",
    }
    for path, reason in expected.items():
        articles, problems, counts = read(server, path)
        assert articles == [] and counts.failed == 1
        assert problems.warnings == [(server.url + path, reason)], path
        assert problems.unreadable == {server.url + path}
    closed = f"http://127.0.0.1:{free_port()}/page"
    with client() as http, pytest.raises(FetchError, match=r"^cannot fetch it \(.*[Cc]onnect"):
        fetch(http, closed)
    assert {entry["user_agent"] for entry in server.log} == {client().headers["User-Agent"]}
    assert client().headers["User-Agent"].startswith("news-assistant/")


def test_a_page_is_one_article_named_by_its_url_and_rechecked_conditionally(server, tmp_path):
    store = Fetched(tmp_path / "index")
    server.set("/docks", news_page("Harbour to build two docks", DOCKS, published="2022-06-15", site="Harbour Gazette",
                                   canonical="https://news.test/docks"))
    [article], problems, counts = read(server, "/docks", store)
    assert (article.source, article.url, article.site, article.published) == (
        server.url + "/docks", "https://news.test/docks", "Harbour Gazette", "2022-06-15")
    assert article.text == "\n\n".join(DOCKS) and (counts.fetched, problems.warnings) == (1, [])

    server.clear_log()
    [again], problems, counts = read(server, "/docks", store)
    assert again == article and (counts.fetched, counts.not_modified) == (0, 1)
    [request] = server.requests("/docks")
    assert request["if_none_match"] and request["if_modified_since"] and request["status"] == 304

    server.set("/docks", news_page("Harbour to build three docks", DOCKS, published="2022-06-16"))  # changed
    [changed], _, counts = read(server, "/docks", store)
    assert changed.title == "Harbour to build three docks" and counts.fetched == 1

    server.set("/docks", status=500)  # down: the copy is kept, and said so
    [kept], problems, counts = read(server, "/docks", store)
    assert kept == changed and counts.failed == 1
    [(item, reason)] = problems.warnings
    assert item == server.url + "/docks"
    assert reason.startswith("HTTP 500 Internal Server Error; the copy fetched on 20") and reason.endswith(" is kept")
    assert problems.unreadable == set()


def test_a_pdf_url_keeps_its_pages(server):
    server.set("/report.pdf", make_pdf([["Annual report"], ["The harbour handled 3 million tonnes."]]), content_type="application/pdf")
    server.set("/mislabelled", make_pdf([["Also a PDF, served as text/plain."]]), content_type="text/plain")
    [report], problems, _ = read(server, "/report.pdf")
    assert report.source == server.url + "/report.pdf" and report.page_at(report.text.index("3 million")) == 2
    [mislabelled], _, _ = read(server, "/mislabelled")
    assert mislabelled.pages == (0,) and problems.warnings == []


def test_a_feed_url_followed_keeps_entries_that_scroll_off_or_fail(server, tmp_path):
    store = Fetched(tmp_path / "index")

    def entry(i, **extra):
        return {"title": f"Story {i}", "link": f"{server.url}/story/{i}", "published": f"2022-06-{10 + i}T08:00:00+00:00",
                "summary": f"Summary of story {i}.", **extra}

    for i in range(4):
        server.set(f"/story/{i}", news_page(f"Story {i} in full", [f"Full text of story {i}, paragraph {n}, with enough words to read." * 2
                                                                   for n in range(3)], site="Harbour Gazette"))
    server.set("/feed", rss([entry(0), entry(1), entry(2)]), content_type="application/rss+xml")
    unfollowed, problems, _ = read(server, "/feed", store)
    assert [a.text for a in unfollowed] == ["Summary of story 0.", "Summary of story 1.", "Summary of story 2."]

    articles, problems, counts = read(server, "/feed", store, follow=True)
    assert [a.source for a in articles] == [f"{server.url}/story/{i}" for i in range(3)]
    assert articles[0].title == "Story 0 in full" and articles[0].text.startswith("Full text of story 0")  # the page's text
    assert articles[0].published == "2022-06-10" and articles[0].site == "Harbour Gazette"

    # Story 0 scrolls off the feed, story 3 appears, and story 1's page is down.
    server.set("/feed", rss([entry(1), entry(2), entry(3)]), content_type="application/rss+xml")
    server.set("/story/1", status=503)
    later, problems, counts = read(server, "/feed", store, follow=True)
    assert {a.source: a.text[:21] for a in later} == {f"{server.url}/story/{i}": f"Full text of story {i}," for i in range(4)}
    assert problems.warnings == [(f"{server.url}/story/1", f"HTTP 503 Service Unavailable; the copy fetched on {store.fetched_on(server.url + '/story/1')} is kept")]


def test_a_feed_entry_whose_page_fails_the_first_time_keeps_the_feed_text(server, tmp_path):
    server.set("/feed", rss([{"title": "Lonely", "link": f"{server.url}/gone", "published": "2022-06-10T08:00:00+00:00",
                              "summary": "Only the summary."}]), content_type="application/rss+xml")
    [article], problems, _ = read(server, "/feed", Fetched(tmp_path / "index"), follow=True)
    assert article.text == "Only the summary." and problems.warnings == [(f"{server.url}/gone", "HTTP 404 Not Found")]


@pytest.mark.parametrize("value", ["soon", "-5", "0"])
def test_a_bad_fetch_timeout_is_a_one_line_error(monkeypatch, value):
    from typer.testing import CliRunner

    from assistant.ui.cli import app

    monkeypatch.setenv("ASSISTANT_FETCH_TIMEOUT", value)
    result = CliRunner().invoke(app, ["extract", "http://127.0.0.1:9/page"])
    assert result.exit_code == 2
    assert result.stderr == f"error: ASSISTANT_FETCH_TIMEOUT must be a positive number of seconds, not '{value}'\n"
