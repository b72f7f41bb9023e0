import json
import warnings

from conftest import SEED_SOURCE, SEEDS

from assistant.ingest.dates import normalize_date
from assistant.ingest.files import MAX_ARTICLE_BYTES
from assistant.ingest.problems import Problems
from assistant.ingest.readers import read_articles


def read(root):
    problems = Problems()
    return list(read_articles(root, problems)), problems


def test_seed_article_title_is_first_line_and_source_is_relative_name():
    [article], problems = read(SEEDS)
    assert article.source == SEED_SOURCE
    assert article.title == "ISIS threatens Iran with more attacks"
    assert not article.text.startswith(article.title)
    assert "Ahwaz National Resistance" in article.text
    assert problems.warnings == []


def test_markdown_front_matter_and_nested_folders(tmp_path):
    (tmp_path / "2022").mkdir()
    (tmp_path / "2022" / "storm.md").write_text("---\ntitle: Storm\ndate: 2022-06-14T08:00:00Z\nurl: https://x.test/s\n---\n# Storm\n\nWinds hit.\n")
    [article], _ = read(tmp_path)
    assert (article.source, article.title, article.published, article.url) == ("2022/storm.md", "Storm", "2022-06-14", "https://x.test/s")
    assert article.text == "Winds hit."


def test_linked_folders_are_followed_once_and_a_link_loop_ends(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "old.txt").write_text("Old news\n\nA flood in 2019.\n")
    root = tmp_path / "articles"
    (root / "2022").mkdir(parents=True)
    (root / "2022" / "storm.txt").write_text("Storm\n\nWinds hit.\n")
    (root / "2019").symlink_to(archive, target_is_directory=True)  # e.g. on another disk
    (root / "2022" / "again").symlink_to(root / "2022", target_is_directory=True)  # a loop
    (root / "z-same").symlink_to(root / "2022", target_is_directory=True)  # one folder by two names
    (root / "a-link").symlink_to(root / "2022", target_is_directory=True)  # sorts before the real folder
    (root / "a-storm.txt").symlink_to(root / "2022" / "storm.txt")  # a file by two names
    (root / "extra.txt").symlink_to(archive / "old.txt")  # a file from elsewhere
    (root / "notes.jpg").symlink_to(tmp_path / "gone.jpg")  # dangling, but never an article
    articles, problems = read(root)
    assert sorted(a.source for a in articles) == ["2019/old.txt", "2022/storm.txt"]  # extra.txt is 2019/old.txt
    assert problems.warnings == []
    (root / "2019").unlink()
    assert sorted(a.source for a in read(root)[0]) == ["2022/storm.txt", "extra.txt"]
    (root / "2019").symlink_to(archive, target_is_directory=True)

    # The linked disk is unmounted: its articles are unreadable, not deleted.
    (archive / "old.txt").unlink()
    archive.rmdir()
    articles, problems = read(root)
    assert [a.source for a in articles] == ["2022/storm.txt"]
    assert problems.unreadable == {"2019", "extra.txt"}
    assert problems.warnings == [("2019", "unreadable (a link to nothing)"), ("extra.txt", "unreadable (a link to nothing)")]


def test_html_text_without_scripts_and_with_metadata(tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>Vote count</title><meta property='article:published_time' content='2022-07-01T10:00'>"
        "<script>alert('pwned')</script><style>p{color:red}</style></head>"
        "<body><nav>Home | World</nav><article><h1>Vote count</h1><p>Officials counted <b>all</b> ballots.</p>"
        "<script>document.write('tracking')</script></article></body></html>"
    )
    [article], _ = read(tmp_path)
    assert article.title == "Vote count"
    assert article.published == "2022-07-01"
    assert "counted" in article.text and "all" in article.text
    for junk in ("alert", "pwned", "color:red", "tracking", "<p>", "Home | World"):
        assert junk not in article.text


def test_html_dates_as_news_sites_write_them(tmp_path):
    body = "<body><aside><time datetime='2019-01-01'>Popular</time></aside><article><p>Text.</p>{}</article></body>"
    pages = {
        "ld.html": ("<script type='application/ld+json'>{\"@graph\": [{\"@type\": \"NewsArticle\", "
                    "\"datePublished\": \"2022-05-04T08:00:00+02:00\"}]}</script>", ""),
        "dc.html": ("<meta name='DC.date' content='May 4, 2022'>", ""),
        "microdata.html": ("", "<span itemprop='datePublished' content='2022-05-04'></span>"),
        "time.html": ("", "<time datetime='2022-05-04'>4 May</time>"),  # the article's, not the sidebar's
        "broken.html": ("<meta name='date' content='soon'><script type='application/ld+json'>{oops</script>",
                        "<time datetime='2022-05-04'>4 May</time>"),
    }
    for name, (head, inside) in pages.items():
        (tmp_path / name).write_text(f"<html><head><title>{name}</title>{head}</head>{body.format(inside)}</html>")
    articles, _ = read(tmp_path)
    assert {a.source: a.published for a in articles} == {name: "2022-05-04" for name in pages}


def test_a_hostile_json_ld_block_costs_nothing(tmp_path):
    nested = "[" * 50000 + "]" * 50000  # json.loads raises RecursionError, not ValueError
    deep = '{"a":' * 30 + '{"datePublished": "2022-05-04"}' + "}" * 30
    (tmp_path / "page.html").write_text(f"<html><head><script type='application/ld+json'>{nested}</script>"
                                        f"<script type='application/ld+json'>{deep}</script></head>"
                                        "<body><p>Text stays.</p></body></html>")
    [article], problems = read(tmp_path)
    assert article.text == "Text stays." and problems.warnings == []
    assert article.published == "2022-05-04"  # htmldate reads the deep block; the hand-written reader stopped at 8 levels


def test_jsonl_rows_with_bad_fields_are_reported_and_the_rest_kept(tmp_path):
    rows = [
        {"id": "a", "title": "A", "url": "", "published": "2022-06-01", "authors": [], "text": "Alpha text."},
        {"id": "b", "title": 7, "text": "Bravo text."},  # wrong-typed title: row kept
        {"title": "no id", "text": "x"},
        {"id": "c", "text": ""},
        {"id": "a", "text": "duplicate id"},
        "not an object",
        {"id": "d", "published": "yesterday", "text": "Delta text."},
        {"id": 42, "text": "Numeric id."},
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken json\n")
    articles, problems = read(path)
    assert [a.source for a in articles] == ["a", "b", "d", "42"]
    assert articles[0].published == "2022-06-01" and articles[2].published == ""
    messages = " | ".join(f"{item}: {reason}" for item, reason in problems.warnings)
    for expected in ("line 2: id b: 'title' is not a string", "line 3: missing or non-string 'id'",
                     "line 4: id c: no text", "a: duplicate id", "line 6: not a JSON object",
                     "unrecognised date 'yesterday'", "line 9: not valid JSON"):
        assert expected in messages


def test_bad_files_are_skipped_with_a_reason(tmp_path):
    (tmp_path / "good.txt").write_text("Good title\n\nGood body.")
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x00\x00\x00garbage")
    (tmp_path / "mostly-utf8.txt").write_bytes("Café news\n\nNaïve body, déjà vu.".encode() + b" \xff stray.")
    (tmp_path / "noise.txt").write_bytes(bytes(range(128, 256)) * 20)
    with (tmp_path / "huge.txt").open("wb") as handle:  # sparse: costs no disk
        handle.truncate(MAX_ARTICLE_BYTES * 20)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / ".hidden.txt").write_text("secret")
    articles, problems = read(tmp_path)
    assert sorted(a.source for a in articles) == ["good.txt", "mostly-utf8.txt"]
    reasons = dict(problems.warnings)
    assert reasons["empty.txt"] == "empty file"
    assert reasons["binary.txt"] == "binary file"
    assert reasons["noise.txt"] == "not text (neither UTF-8 nor another encoding fits)"
    assert reasons["huge.txt"] == "too large (200 MiB; the limit is 10 MiB per article)"
    assert reasons["mostly-utf8.txt"] == "invalid UTF-8 bytes were replaced (file kept)"
    assert "Naïve body, déjà vu." in next(a.text for a in articles if a.source == "mostly-utf8.txt")


def test_normalize_date():
    assert normalize_date("2022-06-15T10:00:00Z") == "2022-06-15"
    assert normalize_date("2022-02-30") == ""
    assert normalize_date(None) == ""
    # What feeds, front matter and web pages carry besides ISO 8601.
    assert normalize_date("Wed, 15 Jun 2022 23:30:00 -0700") == "2022-06-15"  # RSS (RFC 2822)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # dateutil warns about zones it does not know; nothing may reach stderr
        assert normalize_date("Wed, 15 Jun 2022 23:30:00 EDT") == "2022-06-15"
    assert normalize_date("June 15, 2022") == normalize_date("15 June 2022") == normalize_date("2022/06/15") == "2022-06-15"
    # Day and month in numbers are read when only one order makes a date.
    assert normalize_date("31/12/2022") == normalize_date("12/31/2022") == normalize_date("31.12.2022") == "2022-12-31"
    assert normalize_date("07/07/2022") == "2022-07-07"
    # No whole date, or day and month in an order nobody can tell: no date rather than a wrong one.
    for vague in ("June 2022", "2022", "06/07/2022", "31/31/2022", "29/02/2023", "yesterday", "Tuesday", "May 7, 2017 ... Voters in France"):
        assert normalize_date(vague) == "", vague


def test_text_in_other_encodings_is_read_not_dropped(tmp_path):
    body = "Café owners in Zürich said the rent rose by 12 % — “too much”, one said. Prices for crème brûlée stayed."
    (tmp_path / "utf16.txt").write_bytes(("Zürich rents\n\n" + body).encode("utf-16"))  # with its BOM
    (tmp_path / "latin1.txt").write_bytes(("Café news\n\n" + body.replace("—", "-").replace("“", '"').replace("”", '"')).encode("latin-1"))
    (tmp_path / "cp1252.md").write_bytes(("# Zürich rents\n\n" + body).encode("cp1252"))  # curly quotes and the dash are cp1252-only
    articles, problems = read(tmp_path)
    texts = {a.source: a.text for a in articles}
    assert texts["utf16.txt"] == body  # was "binary file" (its NUL bytes)
    assert "Café owners in Zürich" in texts["latin1.txt"] and "crème brûlée" in texts["latin1.txt"]
    assert texts["cp1252.md"] == body  # was dropped whole as "not UTF-8 text"
    reasons = dict(problems.warnings)
    assert "utf16.txt" not in reasons
    assert reasons["latin1.txt"].startswith("not UTF-8: read as ") and reasons["cp1252.md"].startswith("not UTF-8: read as ")


def test_the_size_limit_is_exact_and_said_precisely(tmp_path):
    line = "The council met again and talked about the harbour budget for a long time.\n"
    text = "Long minutes\n\n" + line * (MAX_ARTICLE_BYTES // len(line) - 1)
    (tmp_path / "at-limit.txt").write_text(text + "x" * (MAX_ARTICLE_BYTES - len(text)))
    (tmp_path / "over.txt").write_text(text + "x" * (MAX_ARTICLE_BYTES - len(text) + 1))
    articles, problems = read(tmp_path)
    assert [a.source for a in articles] == ["at-limit.txt"], problems.warnings
    assert problems.warnings == [("over.txt", "too large (10,485,761 bytes; the limit is 10 MiB = 10,485,760 bytes per article)")]


def test_an_index_folder_inside_the_corpus_is_skipped(tmp_path, embeddings):
    from assistant.config import Settings
    from assistant.ingest.indexer import run_index

    (tmp_path / "story.txt").write_text("Storm\n\nA storm hit the coast.\n")
    run_index(Settings(index_dir=tmp_path / "index"), [tmp_path / "story.txt"], embeddings=embeddings)
    assert (tmp_path / "index" / "records.sqlite").exists()
    articles, problems = read(tmp_path)
    assert [a.source for a in articles] == ["story.txt"] and problems.warnings == []
    from assistant.ingest.files import unsupported_files

    assert unsupported_files(tmp_path) == []  # no ".sqlite, .lock skipped" on every run
