"""Feeds, PDFs and news pages through the readers, from real bytes (tests/documents.py)."""

from documents import atom, encrypt_pdf, make_pdf, news_page, rss

from assistant.ingest.chunking import chunk_article
from assistant.ingest.problems import Problems
from assistant.ingest.readers import read_articles

PARAGRAPHS = ["The harbour authority will build two new docks next year, its director said on Tuesday.",
              "Work starts in March and will cost 40 million euros, paid by the port and the region.",
              "Fishermen fear the works will close the old quay for most of the summer season."]


def read(root):
    problems = Problems()
    return list(read_articles(root, problems)), problems


def test_a_news_page_keeps_its_article_and_metadata_and_drops_the_rest(tmp_path):
    (tmp_path / "docks.html").write_text(news_page("Harbour to build two docks", PARAGRAPHS, published="2022-06-15T23:30:00-07:00",
                                                   author="Jane Doe; Omar Haddad", site="Harbour Gazette",
                                                   canonical="https://news.test/docks"))
    [article], problems = read(tmp_path)
    assert problems.warnings == []
    assert article.title == "Harbour to build two docks"
    assert article.published == "2022-06-15"  # the day as the page wrote it, not in UTC
    assert article.authors == ("Jane Doe", "Omar Haddad") and article.site == "Harbour Gazette"
    assert article.url == "https://news.test/docks"
    assert article.text == "\n\n".join(PARAGRAPHS)  # no menu, share bar, sidebar, footer, nor the headline again
    chunk = chunk_article(article)[0]
    assert (chunk.metadata["site"], chunk.metadata["authors"]) == ("Harbour Gazette", "Jane Doe; Omar Haddad")


def test_a_page_with_no_article_text_is_one_warning(tmp_path):
    (tmp_path / "empty.html").write_text("<html><head><title>Loading…</title><script>app()</script></head><body><div id='root'></div></body></html>")
    (tmp_path / "good.html").write_text(news_page("Docks", PARAGRAPHS))
    articles, problems = read(tmp_path)
    assert [a.source for a in articles] == ["good.html"]
    assert problems.warnings == [("empty.html", "no article text")]


def test_plain_articles_keep_their_chunk_metadata_keys():
    """Keys only some articles have are added only with a value: a .txt corpus keeps its chunk ids."""
    from assistant.types import Article

    chunk = chunk_article(Article("a.txt", "Title", "Body text. " * 10), "/corpus")[0]
    assert set(chunk.metadata) == {"source", "root", "title", "published", "url", "chunk", "start", "end"}


def test_feed_entries_are_articles_with_their_content_or_summary(tmp_path):
    (tmp_path / "gazette.rss").write_bytes(rss([
        {"title": "Docks approved", "link": "https://news.test/docks", "published": "2022-06-15T23:30:00-07:00",
         "author": "Jane Doe", "text": "\n\n".join(PARAGRAPHS), "summary": "Two docks."},
        {"title": "Ferry strike", "link": "https://news.test/ferry", "published": "2022-06-14T08:00:00+00:00",
         "summary": "<p>Ferry crews <b>walked out</b> on Monday.</p>"},
        {"title": "Photo gallery", "link": "https://news.test/photos", "published": "2022-06-13T08:00:00+00:00"},
    ]))
    (tmp_path / "courier.atom").write_bytes(atom([{"title": "Valley vote", "link": "https://valley.test/vote",
                                                   "published": "2022-05-01", "text": "Voters chose a mayor.\n\nTurnout was 60 %."}]))
    (tmp_path / "sitemap.xml").write_text("<?xml version='1.0'?><urlset><url><loc>https://news.test/</loc></url></urlset>")
    articles, problems = read(tmp_path)
    by_source = {a.source: a for a in articles}
    assert set(by_source) == {"https://news.test/docks", "https://news.test/ferry", "https://valley.test/vote"}
    docks = by_source["https://news.test/docks"]
    assert docks.text == "\n\n".join(PARAGRAPHS)  # content:encoded, not the summary
    assert (docks.title, docks.published, docks.url, docks.authors, docks.site) == (
        "Docks approved", "2022-06-15", "https://news.test/docks", ("Jane Doe",), "Harbour Gazette")
    assert by_source["https://news.test/ferry"].text == "Ferry crews walked out on Monday."
    assert by_source["https://valley.test/vote"].text == "Voters chose a mayor.\n\nTurnout was 60 %."
    reasons = dict(problems.warnings)
    assert reasons["sitemap.xml"] == "not an RSS or Atom feed"
    assert reasons["gazette.rss: https://news.test/photos"].startswith("no text in the feed")


def test_a_malformed_feed_keeps_what_could_be_read_with_one_warning(tmp_path):
    good = rss([{"title": f"Story {i}", "link": f"https://news.test/{i}", "published": "2022-06-15T08:00:00+00:00",
                 "text": f"Story number {i} happened."} for i in range(3)])
    (tmp_path / "cut.rss").write_bytes(good[:good.index(b"<item>", good.index(b"Story 1"))] + b"<item><title>Sto")
    (tmp_path / "garbage.rss").write_bytes(b"\x00\x01 not xml at all")
    articles, problems = read(tmp_path)
    assert [a.source for a in articles] == ["https://news.test/0", "https://news.test/1"]
    reasons = dict(problems.warnings)
    assert reasons["cut.rss"].startswith("malformed feed (") and reasons["cut.rss"].endswith("; the 2 entries with text are kept")
    assert reasons["garbage.rss"] == "not an RSS or Atom feed"
    assert len(problems.warnings) == 2  # nothing about the cut-off third entry on its own


def test_pdf_pages_are_kept_with_their_numbers(tmp_path):
    (tmp_path / "report.pdf").write_bytes(make_pdf([
        ["Harbour annual report", "The harbour handled 3 million tonnes in 2021."],
        None,  # a full-page photo
        (["Left column: exports of grain", "rose by a fifth."], ["Right column: imports of coal", "fell by half."]),
    ], title="Harbour annual report 2021", author="Port Authority", created="D:20220301120000Z"))
    [article], problems = read(tmp_path)
    assert problems.warnings == []
    assert (article.title, article.authors, article.published) == ("Harbour annual report 2021", ("Port Authority",), "2022-03-01")
    assert article.page_at(article.text.index("3 million")) == 1
    # Two columns come out one after the other, as the page's content writes them, not line by line across.
    third = article.text[article.pages[2]:]
    assert third.index("rose by a fifth") < third.index("Right column") and article.page_at(article.text.index("coal")) == 3
    chunks = chunk_article(article)
    assert [c.metadata["page"] for c in chunks] == [1, 3]  # a chunk never spans two pages
    assert all(article.text[c.metadata["start"]:c.metadata["end"]] in c.text for c in chunks)


def test_bad_pdfs_are_one_warning_each_and_the_rest_is_read(tmp_path):
    text_pdf = make_pdf([["Council minutes", "The council met on Monday."]])
    (tmp_path / "minutes.pdf").write_bytes(text_pdf)
    (tmp_path / "locked.pdf").write_bytes(encrypt_pdf(text_pdf, "secret"))
    (tmp_path / "scan.pdf").write_bytes(make_pdf([None, None]))
    (tmp_path / "broken.pdf").write_bytes(text_pdf[:200])
    (tmp_path / "fake.pdf").write_text("not a pdf at all")
    articles, problems = read(tmp_path)
    assert [a.source for a in articles] == ["minutes.pdf"]
    reasons = dict(problems.warnings)
    assert reasons["locked.pdf"] == "encrypted PDF: it needs a password"
    assert reasons["scan.pdf"] == "no text in its 2 page(s): a scanned or image-only PDF? (there is no OCR)"
    assert reasons["broken.pdf"].startswith("not a readable PDF (")
    assert reasons["fake.pdf"].startswith("not a readable PDF (")
    assert len(problems.warnings) == 4


def test_an_encrypted_pdf_with_an_empty_password_is_read(tmp_path):
    (tmp_path / "open.pdf").write_bytes(encrypt_pdf(make_pdf([["Open report", "Anyone may read this."]]), ""))
    [article], problems = read(tmp_path)
    assert "Anyone may read this." in article.text and problems.warnings == []
