"""Bad input end to end: one corpus holding every kind of bad file the loaders know about,
indexed through the CLI (exit 0, a warning naming each bad item, the rest indexed);
200 MB files never read whole; bad options and question files; an index built with
other embeddings; and property tests driving the loaders with arbitrary bytes and rows."""

from __future__ import annotations

import json
import re
import tempfile
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from conftest import SEED_SOURCE, SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.embeddings import Embeddings
from reliability import error_lines
from typer.testing import CliRunner

from assistant.config import Settings
from assistant.ingest.chunking import chunk_article
from assistant.ingest.files import FEED_SUFFIXES, SUPPORTED
from assistant.ingest.indexer import run_index
from assistant.ingest.problems import Problems
from assistant.ingest.readers import read_articles
from assistant.text.safe import drop_controls
from assistant.ui.cli import app

runner = CliRunner()
BIG = 200 * 1024 * 1024


def run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)


def sparse(path: Path, size: int = BIG, head: bytes = b"") -> Path:
    """A file of `size` bytes that costs no disk (a hole after `head`)."""
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


def hostile_corpus(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text("Harbour reopens after storm\n\nThe harbour of Brindle reopened on Monday.\n")
    (folder / "latin1.txt").write_bytes("Caf\xe9 owners protest\n\nOwners of the Caf\xe9 Lune protested the rent.".encode("latin-1"))
    (folder / "page.html").write_text(
        "<html><head><title>Vote count ends</title><script>alert('pwned-by-script')</script></head>"
        "<body><article><h1>Vote count ends</h1><p>Officials in Corvale counted all ballots.</p>"
        "<script>document.write('tracking-pixel')</script></article></body></html>")
    (folder / "sub" / "storm.md").write_text("---\ntitle: Storm hits Velmar\ndate: 2022-06-14\n---\n\nWinds of 120 km/h hit Velmar.\n")
    sparse(folder / "huge.txt")
    sparse(folder / "sub" / "dump.jsonl", head=b'{"id": "dump", "text": "')  # one 200 MB row, no newline
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "noise.md").write_bytes(bytes(range(128, 256)) * 40)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text(" \n\t\n")
    (folder / "scripts-only.html").write_text("<html><body><script>var x = 'only code';</script></body></html>")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4")
    rows = [
        '{"id": "r1", "title": "Bridge opens in Aldmoor", "published": "2022-05-01", "text": "The Aldmoor bridge opened."}',
        '{"id": "r2", "title": ["not", "a", "string"], "text": "Ferries resumed in Aldmoor."}',
        '{"id": "r1", "text": "A second row with the id r1."}',
        '{"title": "no id", "text": "orphan text"}',
        '{"id": "r3", "text": 42}',
        '{"id": true, "text": "boolean id"}',
        '{"id": "r4", "text": "Lone \\ud800 surrogate in Aldmoor news.", "published": "last Tuesday"}',
        '["a", "list"]',
        '{"id": "r5", "text": "truncated',
        "\xff\xfe not json",
        "",
    ]
    (folder / "rows.jsonl").write_bytes("\n".join(rows).encode("utf-8", "surrogatepass").replace(b"\xc3\xbf\xc3\xbe", b"\xff\xfe"))
    return folder


def test_hostile_corpus_through_the_cli(tmp_path):
    corpus = hostile_corpus(tmp_path / "corpus")
    result = run("index", corpus, "--index-dir", tmp_path / "index", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    warned = {}
    for warning in report["warnings"]:
        warned.setdefault(warning["item"], []).append(warning["problem"])
    # The stderr lines name the item too.
    assert "warning: huge.txt: too large (200 MiB; the limit is 10 MiB per article)" in result.stderr
    expectations = {
        "huge.txt": "too large",
        "sub/dump.jsonl line 1": "row too large",
        "binary.txt": "binary file",
        "noise.md": "not text (neither UTF-8 nor another encoding fits)",
        "empty.txt": "empty file",
        "blank.md": "empty file",
        "scripts-only.html": "no article text",
        "latin1.txt": "not UTF-8: read as cp1252",
        "report.pdf": "not a readable PDF",
        "rows.jsonl line 2": "'title' is not a string",
        "r1": "duplicate id",
        "rows.jsonl line 4": "missing or non-string 'id'",
        "rows.jsonl line 5": "id r3: missing or non-string 'text'",
        "rows.jsonl line 6": "missing or non-string 'id'",
        "rows.jsonl line 7": "invalid \\u escapes in 'text' were replaced",
        "rows.jsonl line 8": "not a JSON object",
        "rows.jsonl line 9": "not valid JSON",
        "rows.jsonl line 10": "not valid JSON",
        str(corpus.resolve()): "1 file(s) of unsupported type skipped (.jpg)",
    }
    for item, problem in expectations.items():
        assert any(problem in reason for reason in warned.get(item, [])), (item, warned.get(item))
    assert any("unrecognised date 'last Tuesday'" in r for r in warned["rows.jsonl line 7"])

    kept = {"good.txt", "latin1.txt", "page.html", "sub/storm.md", "r1", "r2", "r4"}
    assert report["sources_added"] == len(kept)
    from assistant.store.chroma import Store

    collection, _ = Store(Settings(index_dir=tmp_path / "index")).require_active()
    got = collection.get(include=["documents", "metadatas"])
    assert {m["source"] for m in got["metadatas"]} == kept
    everything = " ".join(got["documents"])
    for junk in ("pwned-by-script", "tracking-pixel", "only code", "orphan text", "A second row"):
        assert junk not in everything
    assert "Lone \ufffd surrogate" in everything
    assert "Owners of the Café Lune protested" in everything  # Latin-1, read as such

    search = run("search", "tracking pixel pwned by script", "--retrieval", "lexical", "--json", "--index-dir", tmp_path / "index")
    assert search.exit_code == 0 and json.loads(search.stdout)["results"] == []
    search = run("search", "Aldmoor bridge", "--json", "--index-dir", tmp_path / "index")
    assert json.loads(search.stdout)["results"][0]["source"] == "r1"


@pytest.mark.parametrize("name, head", [("huge.txt", b"Title\n\n"), ("huge.html", b"<html>"), ("huge.jsonl", b'{"id": "x", "text": "'),
                                        ("lines.jsonl", b'{"id": "x", "text": "short"}\n' + b" " * 64)])
def test_200_mb_files_are_never_read_whole(tmp_path, name, head):
    sparse(tmp_path / name, head=head)
    problems = Problems()
    tracemalloc.start()
    try:
        articles = list(read_articles(tmp_path, problems))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert problems.warnings and all("too large" in reason for _, reason in problems.warnings)
    assert [a.source for a in articles] == (["x"] if name == "lines.jsonl" else [])


def test_a_corpus_of_nothing_but_bad_files_still_makes_a_valid_empty_index(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "empty.txt").write_bytes(b"")
    result = run("index", tmp_path / "c", "--index-dir", tmp_path / "index")
    assert result.exit_code == 0 and "0 in the index" in result.stdout
    assert "warning: empty.txt: empty file" in result.stderr
    search = run("search", "anything at all", "--index-dir", tmp_path / "index")
    assert search.exit_code == 0 and "No matching passages." in search.stdout
    assert "the index holds no articles yet: add some with `assistant index PATH`" in search.stderr
    asked = run("ask", "anything at all?", "--llm", "none", "--index-dir", tmp_path / "index")
    assert asked.exit_code == 0 and "the index holds no articles yet" in asked.stderr


@pytest.mark.parametrize("lines, message", [
    (None, "no such question file"),
    ("", "holds no questions"),
    ('{"id": "1", "question": "Who?", "answers": ["x"]}\nnot json\n', "line 2: not valid JSON"),
    ('["a list"]\n', "line 1: expected a JSON object"),
    ('{"id": "1", "question": "Who?", "answers": ["x"]}\n{"id": "1", "question": "Again?", "answers": ["y"]}\n', "line 2: duplicate id '1'"),
    ('{"id": "", "question": "Who?"}\n', "line 1: 'id' must be a non-empty string"),
    ('{"id": "1", "question": "Who?", "answers": ["x"], "asked_on": "last week"}\n', "line 1: 'asked_on' must be a date"),
])
def test_bad_question_files_are_one_line_errors(tmp_path, lines, message):
    path = tmp_path / "q.jsonl"
    if lines is not None:
        path.write_text(lines)
    result = run("eval", path, "--index-dir", tmp_path / "no-index")
    assert result.exit_code == 2
    [line] = error_lines(result.stderr)
    assert message in line and line.startswith("error: ")


@pytest.mark.parametrize("args, env, code, message", [
    (["search", "x", "--chroma-url", "ftp://host"], {}, 2, "bad Chroma URL 'ftp://host'"),
    (["search", "x"], {"ASSISTANT_EMBEDDINGS": "word2vec"}, 2, "unknown embeddings 'word2vec'"),
    (["search", "x", "--retrieval", "psychic"], {}, 2, "--retrieval must be hybrid, dense or lexical"),
    (["ask", "Who claimed the attack?", "--llm", "openai:m"], {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "ASSISTANT_LLM_TIMEOUT": "soon"},
     2, "ASSISTANT_LLM_TIMEOUT must be a positive number of seconds"),
    (["ask", "Who claimed the attack?", "--llm", "openai:m"], {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "ASSISTANT_LLM_TIMEOUT": "-5"},
     2, "ASSISTANT_LLM_TIMEOUT must be a positive number of seconds, not '-5'"),
    (["search", "x", "--chroma-url", "http://127.0.0.1:notaport"], {}, 2, "bad Chroma URL 'http://127.0.0.1:notaport'"),
    (["search", "x", "--chroma-url", "http://127.0.0.1:99999"], {}, 2, "bad Chroma URL"),
    (["search", "x", "--chroma-url", "http://127.0.0.1:0"], {}, 2, "bad Chroma URL"),
    (["ask", "Who claimed the attack?", "--llm", "openai:m"], {}, 2, "openai: set OPENAI_API_KEY"),
    (["ask", "Who claimed the attack?", "--llm", "local:/nonexistent/model.gguf"], {}, 2, "no model file at /nonexistent/model.gguf"),
    (["ask", "Who claimed the attack?", "--llm", f"local:{SEEDS / SEED_SOURCE}"], {}, 2, "is not a GGUF model file"),
])
def test_bad_settings_are_one_line_errors(seed_index, args, env, code, message):
    result = run(*args, "--index-dir", seed_index.index_dir, env=env)
    assert result.exit_code == code, result.output
    [line] = error_lines(result.stderr)
    assert message in line and line.startswith("error: ")


class HashEmbeddings(Embeddings):
    """Another embedding model (a 64-d bag of hashed words): what an index built with a
    different --embeddings looks like."""

    name = "test/hashed-words-64"
    dimension = 64
    on_progress = None

    def embed_documents(self, texts):
        return [self.embed_query(text) for text in texts]

    def embed_query(self, text):
        import hashlib

        vector = [0.0] * self.dimension
        for word in text.lower().split():
            vector[hashlib.md5(word.encode()).digest()[0] % self.dimension] += 1.0
        norm = sum(v * v for v in vector) ** 0.5 or 1.0
        return [v / norm for v in vector]


def test_an_index_built_with_other_embeddings_is_refused_until_rebuilt(tmp_path):
    index_dir = tmp_path / "index"
    run_index(Settings(index_dir=index_dir), [SEEDS], embeddings=HashEmbeddings())
    expected = ("this index was built with test/hashed-words-64 (64-d) but sentence-transformers/all-MiniLM-L6-v2 "
                "(384-d) is configured: use the same --embeddings or run `assistant index --rebuild`")
    for args in (["search", "Who claimed the attack?"], ["ask", "Who claimed the attack?", "--llm", "none"], ["index"]):
        result = run(*args, "--index-dir", index_dir)
        assert result.exit_code == 5, result.output
        assert error_lines(result.stderr) == [f"error: {expected}"]
    rebuilt = run("index", "--rebuild", "--index-dir", index_dir, "--json")
    assert rebuilt.exit_code == 0, rebuilt.output
    search = run("search", "Who claimed the attack?", "--json", "--index-dir", index_dir)
    assert search.exit_code == 0 and json.loads(search.stdout)["results"][0]["source"] == SEED_SOURCE


# ---- property tests: the loaders take any bytes and any rows ------------------------------

_surrogates = st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"]), min_size=1, max_size=3)
_strings = st.one_of(st.text(max_size=40), _surrogates, st.sampled_from(["", "  ", "2022-06-15", "2022-02-30T10:00Z", "\x00"]))
_json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _strings),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)
_rows = st.one_of(
    st.fixed_dictionaries({}, optional={key: st.one_of(_strings, _json_values) for key in ("id", "title", "text", "published", "url")}),
    st.fixed_dictionaries({"id": st.one_of(_strings, st.integers()), "text": _strings}),
    _json_values,
)
_lines = st.lists(st.one_of(_rows.map(lambda row: json.dumps(row).encode("utf-8", "surrogatepass")),
                            st.binary(max_size=60).filter(lambda b: b"\n" not in b)), max_size=12)


def _check_articles(articles, problems) -> None:
    sources = [a.source for a in articles]
    assert len(sources) == len(set(sources))
    for article in articles:
        for value in (article.source, article.title, article.text, article.published, article.url):
            assert isinstance(value, str)
            value.encode("utf-8")  # storable: no lone surrogates
        assert article.source.strip() and article.text.strip() and len(article.title) <= 300
        assert article.published == "" or date.fromisoformat(article.published)
        for chunk in chunk_article(article, "root"):  # and indexable
            json.dumps(chunk.metadata, ensure_ascii=False).encode("utf-8")
            chunk.text.encode("utf-8")
    assert all(isinstance(item, str) and isinstance(reason, str) for item, reason in problems.warnings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=_lines)
def test_jsonl_loader_accounts_for_every_line(lines):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.jsonl"
        path.write_bytes(b"\n".join(lines))
        problems = Problems()
        articles = list(read_articles(path, problems))
    _check_articles(articles, problems)
    # A model of the documented rules: a JSON object with a non-empty string (or integer)
    # id and non-empty text is kept unless its id was seen; any other line is warned about.
    expected, seen = [], set()
    for number, raw in enumerate(b"\n".join(lines).split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except ValueError:
            row = None
        id_ = row.get("id") if isinstance(row, dict) else None
        if isinstance(id_, int) and not isinstance(id_, bool):
            id_ = str(id_)
        text = row.get("text") if isinstance(row, dict) else None
        if isinstance(id_, str) and id_.strip() and isinstance(text, str) and drop_controls(text).strip():
            source = re.sub("[\ud800-\udfff]", "\ufffd", id_).strip()  # lone surrogates are replaced
            if source not in seen:
                seen.add(source)
                expected.append(number)
                continue
            assert any(reason.startswith("duplicate id") for _, reason in problems.warnings)
        else:
            assert any(item == f"rows.jsonl line {number}" for item, _ in problems.warnings), (number, raw, problems.warnings)
    assert len(articles) == len(expected)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(st.tuples(st.sampled_from(sorted(SUPPORTED)), st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"<html><script>x</script><p>Body</p>", b"---\ntitle: T\ndate: 2022-99-99\n---\n", b"\xef\xbb\xbf",
                     b"<!DOCTYPE", b"<![CDATA[", b"<meta property='og:title'>", b"\x00" * 10,
                     b"<rss version='2.0'><channel><item><title>T</title><description>Body</description></item><item><title>",
                     b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>T</title></entry></feed>",
                     b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF", b"\xff\xfeU\x00T\x00F\x00"]),
)), min_size=1, max_size=5))
def test_any_bytes_in_any_supported_file_are_an_article_or_a_warning(files):
    with tempfile.TemporaryDirectory() as folder:
        names = []
        for i, (suffix, content) in enumerate(files):
            names.append(f"f{i}{suffix}")
            (Path(folder) / names[-1]).write_bytes(content)
        problems = Problems()
        articles = list(read_articles(Path(folder), problems))
    _check_articles(articles, problems)
    # Every file is an article or a warning naming it (rows of .jsonl files: see above).
    accounted = {a.source for a in articles} | {item.split(": ")[0] for item, _ in problems.warnings}
    for name, (suffix, content) in zip(names, files):
        if suffix in FEED_SUFFIXES:  # a feed's articles are named by their links: read it alone
            with tempfile.TemporaryDirectory() as folder:
                (Path(folder) / name).write_bytes(content)
                alone = Problems()
                assert list(read_articles(Path(folder), alone)) or any(item.split(": ")[0] == name for item, _ in alone.warnings)
        elif suffix != ".jsonl":
            assert name in accounted, name


@pytest.mark.slow
@pytest.mark.parametrize("extra, code", [([], 1), (["--json"], 141)])
def test_a_reader_that_goes_away_is_not_an_error(seed_index, extra, code):
    """`assistant search ... | head -1`: the pipe closes early; no traceback, no error line."""
    import os
    import subprocess

    from reliability import cli_command

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(cli_command("search", "Who claimed the attack?", "--index-dir", seed_index.index_dir, *extra),
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write_end)
    assert done.returncode == code  # rich exits 1 on a broken pipe; plain output ends like `yes | head` (128 + SIGPIPE)
    assert done.stderr == ""


def test_escape_sequences_in_articles_and_file_names_never_reach_the_terminal(tmp_path):
    # An untrusted page could retitle the terminal window, clear the screen or recolour it.
    corpus = tmp_path / "c"
    corpus.mkdir()
    row = {"id": "r1", "title": "Flood \x1b]0;pwned\x07warning\x1b[2J", "published": "2022-06-15",
           "text": "Heavy rain flooded the \x1b[31mriver town\x1b[0m of Tewkesbury on Monday.\r\nResidents left their homes."}
    (corpus / "rows.jsonl").write_text(json.dumps(row) + "\n")
    (corpus / "esc\x1b[31mred\nname.txt").write_text("Storm \x9b hits coast\n\nA storm hit the coast of Tewkesbury.\n")
    indexed = run("index", corpus, "--index-dir", tmp_path / "idx")
    assert indexed.exit_code == 0, indexed.output
    for args in (["search", "flood Tewkesbury river town"], ["ask", "Which town flooded?", "--llm", "none"]):
        shown = run(*args, "--index-dir", tmp_path / "idx")
        assert shown.exit_code == 0, shown.output
        assert "Tewkesbury" in shown.stdout and "red" in shown.stdout
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", shown.output), repr(shown.output)
    found = json.loads(run("search", "flood Tewkesbury", "--json", "--index-dir", tmp_path / "idx").stdout)
    titles = {r["source"]: r["title"] for r in found["results"]}
    assert titles["r1"] == "Flood ]0;pwnedwarning[2J" and titles["esc\x1b[31mred\nname.txt"] == "Storm  hits coast"
