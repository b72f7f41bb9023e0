import json

import pytest
from conftest import SEED_SOURCE, SEEDS
from fakes import RuleChatModel
from typer.testing import CliRunner

from assistant.config import PROJECT_ROOT
from assistant.ui.cli import app

runner = CliRunner()


ONE_SHOT: list[bool] = []  # what each command told `get_chat_model` of its answers: one, or many


def run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)


@pytest.fixture
def fake_llm(monkeypatch):
    model = RuleChatModel(rules=[("Question: Who claimed", "ISIS claimed the Ahvaz attack [1][3]. Ahwaz National Resistance also claimed it [1].")], prompts=[])
    ONE_SHOT.clear()

    def get_chat_model(spec, on_progress=None, one_shot=False):
        ONE_SHOT.append(one_shot)
        return model

    monkeypatch.setattr("assistant.providers.llms.get_chat_model", get_chat_model)
    monkeypatch.setattr("assistant.providers.llms.check_model", lambda spec, on_progress=None: None)  # no weights needed
    return model


def test_index_json_then_resync(tmp_path, corpus):
    first = run("index", corpus, "--index-dir", tmp_path / "idx", "--json")
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    for key in ("sources_added", "sources_updated", "sources_removed", "sources_unchanged",
                "chunks_embedded", "chunks_deleted", "chunks_total", "seconds"):
        assert key in report
    assert report["sources_added"] == 3
    again = json.loads(run("index", "--index-dir", tmp_path / "idx", "--json").stdout)
    assert again["chunks_embedded"] == 0 and again["sources_unchanged"] == 3


def test_index_warns_about_bad_files_and_keeps_going(tmp_path, corpus):
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02")
    result = run("index", corpus, "--index-dir", tmp_path / "idx")
    assert result.exit_code == 0
    assert "warning: blob.txt: binary file" in result.stderr
    assert "3 added" in result.stdout


def test_a_date_filter_says_it_leaves_undated_articles_out(tmp_path, corpus):
    run("index", corpus, "--index-dir", tmp_path / "idx")
    # storm.md is dated 2022-06-14; the seed article and budget.txt have no date.
    result = run("search", "storm coast", "--since", "2022-06-01", "--index-dir", tmp_path / "idx")
    assert result.exit_code == 0
    assert "Storm hits the coast" in result.stdout and "budget" not in result.stdout
    assert "note: --since/--until leave out 2 articles with no published date" in result.stderr
    unfiltered = run("search", "storm coast", "-k", 10, "--index-dir", tmp_path / "idx")
    assert "budget.txt" in unfiltered.stdout and "note:" not in unfiltered.stderr


def test_search_json_shape(seed_index):
    result = run("search", "Who claimed the Ahvaz attack?", "-k", 3, "--json", "--index-dir", seed_index.index_dir)
    data = json.loads(result.stdout)
    assert data["query"] == "Who claimed the Ahvaz attack?"
    assert [r["rank"] for r in data["results"]] == [1, 2, 3]
    assert set(data["results"][0]) >= {"rank", "source", "chunk_id", "score", "title", "published", "text"}
    assert data["results"][0]["source"] == SEED_SOURCE


def test_ask_json_shape(seed_index, fake_llm):
    result = run("ask", "Who claimed the Ahvaz attack?", "--json", "--index-dir", seed_index.index_dir)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"question", "answer", "refused", "citations", "timings_ms"}
    assert set(data["timings_ms"]) >= {"retrieve", "generate", "total"}
    assert data["refused"] is False and "ISIS" in data["answer"]
    assert set(data["citations"][0]) >= {"n", "source", "chunk_id", "title", "published", "quote"}
    assert ONE_SHOT == [True]  # one answer, then exit: the local model starts without repacking


def test_ask_plain_output_lists_only_cited_sources(seed_index, fake_llm):
    result = run("ask", "Who claimed the Ahvaz attack?", "--index-dir", seed_index.index_dir)
    assert "Sources" in result.stdout and "[1] ISIS threatens Iran" in result.stdout and "[3]" not in result.stdout


def test_ask_retrieval_only(seed_index):
    data = json.loads(run("ask", "Which app carried the ISIS statement?", "--llm", "none", "--json",
                          "--index-dir", seed_index.index_dir).stdout)
    assert data["answer"] == "" and data["citations"]


@pytest.mark.parametrize("question", ["Who claimed the Ahvaz attack?", "What did Ben Ariel report about ISIS threats?", "Which app carried the ISIS statement?"])
def test_quotes_are_verbatim_across_paragraph_breaks(seed_index, question):
    # The seed's byline "Ben Ariel ," sits between blank lines: a quote must never glue it to the next paragraph.
    article = (SEEDS / SEED_SOURCE).read_text()
    data = json.loads(run("ask", question, "--llm", "none", "--json", "--index-dir", seed_index.index_dir).stdout)
    pieces = [piece for c in data["citations"] for piece in c["quote"].split(" … ")]
    assert pieces and all(piece in article for piece in pieces)


@pytest.mark.parametrize("args, code, message", [
    (["search", "anything"], 3, "no index at"),
    (["ask", "anything", "--llm", "none"], 3, "run `assistant index` first"),
    (["index", "does/not/exist"], 2, "corpus path does not exist"),
    (["search", "x", "--since", "last week"], 2, "is not a date"),
    (["ask", "x", "--llm", "gpt"], 2, "unknown --llm"),
    (["search", "   "], 2, "the query is empty"),
    (["search", "x", "--since", "2019-01-01", "--until", "2017-01-01"], 2, "--since 2019-01-01 is after --until 2017-01-01"),
    (["ask", "x", "--llm", "none", "--since", "2019-01-02", "--until", "2019-01-01"], 2, "is after --until"),
])
def test_user_mistakes_are_one_line_errors(tmp_path, args, code, message):
    result = run(*args, "--index-dir", tmp_path / "empty")
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) <= 4  # one message (usage errors add a short usage line)


def test_paths_that_would_silently_mean_something_else_are_refused(tmp_path, seed_index):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    cases = [
        (["index", "--index-dir", ""], "--index-dir is empty"),  # a Path would make it the current folder
        (["index", "", "--index-dir", tmp_path / "idx"], "an empty corpus path was given"),
        (["search", "x", "--index-dir", a_file], f"--index-dir {a_file} is not a folder"),
        (["search", "x", "--index-dir", a_file / "sub"], f"is not a folder ({a_file} is a file)"),
        (["eval", PROJECT_ROOT / "eval" / "seed-questions.jsonl", "--retrieval-only", "--index-dir",
          seed_index.index_dir, "--report-dir", a_file], f"--report-dir {a_file} is not a folder"),
        (["eval", PROJECT_ROOT / "eval" / "seed-questions.jsonl", "--retrieval-only", "--index-dir",
          seed_index.index_dir, "--report-dir", ""], "--report-dir is empty"),
        # A folder the system will not let anyone make (a traceback-free "unexpected FileNotFoundError" before).
        (["index", SEEDS, "--index-dir", "/proc/assistant-index"], "cannot use /proc/assistant-index: No such file or directory"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)
    assert not (tmp_path / "idx").exists() and a_file.read_text() == "x"


def test_eval_rejects_a_malformed_line_by_number(tmp_path, seed_index):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "1", "question": "Who?", "answers": [], "sources": []}\n{"id": "2", "question": 5}\n')
    result = run("eval", path, "--index-dir", seed_index.index_dir)
    assert result.exit_code == 2
    assert f"{path} line 2: 'question' must be a non-empty string" in " ".join(result.stderr.split())


def test_eval_retrieval_only_reports_metrics(tmp_path, seed_index):
    from assistant.config import PROJECT_ROOT

    result = run("eval", PROJECT_ROOT / "eval" / "seed-questions.jsonl", "--retrieval-only", "--json",
                 "--index-dir", seed_index.index_dir, "--report-dir", tmp_path)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["retrieval"]["hits@1"] == 1.0  # a single article: it is always first
    assert summary["retrieval"]["n"] == 16
    assert (tmp_path / "seed-questions.md").exists()
    rows = json.loads((tmp_path / "seed-questions.json").read_text())["default"]["rows"]
    assert all(row["correct"] is None for row in rows)  # nothing was answered, so nothing is wrong
    assert "not in the index" not in result.stderr

    typo = tmp_path / "typo.jsonl"
    typo.write_text(json.dumps({"id": "a", "question": "Who claimed the Ahvaz attack?", "answers": ["ISIS"],
                                "sources": ["000_d07ae83fdbaebff6.tx"]}) + "\n")
    result = run("eval", typo, "--retrieval-only", "--index-dir", seed_index.index_dir, "--report-dir", tmp_path)
    assert result.exit_code == 0 and "Hits@1 0.00" in result.stdout
    assert f"warning: {typo}: 1 gold source(s) are not in the index (000_d07ae83fdbaebff6.tx)" in result.stderr


def test_eval_scores_answers_and_names_what_refused_them(tmp_path, seed_index, fake_llm):
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "claim", "question": "Who claimed the Ahvaz attack?", "answers": ["ISIS"], "sources": [SEED_SOURCE]},
        {"id": "arrests", "question": "How many suspects were arrested after the Ahvaz attack?", "answers": ["22"],
         "sources": [SEED_SOURCE]},
        {"id": "cup", "question": "Who won the 2018 World Cup?", "answers": [], "sources": []},
    ]
    questions.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = run("eval", questions, "--json", "--index-dir", seed_index.index_dir, "--report-dir", tmp_path)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["answers"]["contains"] == 0.5 and summary["answers"]["refused"] == 0.5
    assert summary["answers"]["refused_by"] == {"model": 1}  # the fake model knows only the claim
    assert summary["refusal"] == {"accuracy": 1.0, "n": 1}
    assert summary["citations"]["valid_markers"] == pytest.approx(2 / 3, abs=1e-3)  # [3] points at no passage
    rows = {row["id"]: row for row in json.loads((tmp_path / "q.json").read_text())["default"]["rows"]}
    assert rows["cup"]["refused_by"] == "no relevant passage" and rows["claim"]["refused_by"] is None
    assert "by the check that refused: model 1." in (tmp_path / "q.md").read_text()
    assert ONE_SHOT == [False]  # many answers from one process: the model starts for them all


def test_eval_compare_writes_a_side_by_side_table_and_a_plot(tmp_path, corpus, embeddings):
    from assistant.config import Settings
    from assistant.ingest.indexer import run_index

    index_dir = tmp_path / "index"
    run_index(Settings(index_dir=index_dir), [corpus], embeddings=embeddings)
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "a", "question": "How strong were the winds of the storm?", "answers": ["120 km/h"], "sources": ["storm.md"], "asked_on": "2022-06-15"}\n'
        '{"id": "b", "question": "How big is the city budget?", "answers": ["$2 billion"], "sources": ["budget.txt"]}\n'
    )
    names = "baseline,dense,lexical,hybrid,hybrid+dates"
    result = run("eval", questions, "--compare", names, "--retrieval-only", "--json",
                 "--index-dir", index_dir, "--report-dir", tmp_path / "reports")
    assert result.exit_code == 0, result.output
    summaries = json.loads(result.stdout)
    assert [s["label"] for s in summaries] == names.split(",")
    assert all(s["retrieval"]["n"] == 2 and s["retrieval"]["hits@5"] == 1.0 for s in summaries)
    report = (tmp_path / "reports" / "q.md").read_text()
    assert all(f"| {name} |" in report for name in names.split(","))
    assert (tmp_path / "reports" / "q.png").read_bytes()[:4] == b"\x89PNG"
    assert (index_dir / "baseline" / "built.json").exists()  # the plain pipeline's own index, built once

    bad = run("eval", questions, "--compare", "hybrid,bm42", "--index-dir", index_dir)
    assert bad.exit_code == 2 and "bm42" in bad.output


def test_an_answer_found_on_a_second_look_says_so(tmp_path, corpus, monkeypatch):
    model = RuleChatModel(rules=[("Always give the best answer", "A storm with winds of 120 km/h hit the coast on Monday.")],
                          prompts=[])
    monkeypatch.setattr("assistant.providers.llms.get_chat_model", lambda spec, on_progress=None, one_shot=False: model)
    monkeypatch.setattr("assistant.providers.llms.check_model", lambda spec, on_progress=None: None)
    assert run("index", corpus, "--index-dir", tmp_path / "idx").exit_code == 0
    shown = run("ask", "Which storm hit the coast this week?", "--as-of", "2022-06-16", "--index-dir", tmp_path / "idx")
    assert shown.exit_code == 0, shown.output
    assert "120 km/h" in shown.stdout and "Found on a second look" in shown.stdout and "Storm hits the coast" in shown.stdout
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "storm", "question": "Which storm hit the coast this week?", "answers": ["120 km/h"],
                                     "sources": ["storm.md"], "asked_on": "2022-06-16"}) + "\n")
    result = run("eval", questions, "--json", "--index-dir", tmp_path / "idx", "--report-dir", tmp_path)
    assert json.loads(result.stdout)["answers"]["second_look"] == {"answered": 1, "correct": 1}
    assert "Answered on a second look after the model refused (default): 1, of which 1 correct." in (tmp_path / "q.md").read_text()


def test_version_and_help():
    from importlib.metadata import version

    shown = run("--version")
    assert shown.exit_code == 0 and shown.stdout == f"news-assistant {version('news-assistant')}\n"
    helped = run("--help")
    assert helped.exit_code == 0 and all(name in helped.stdout for name in ("index", "search", "ask", "chat", "eval", "--version"))


def test_the_same_source_name_in_two_corpora_stays_two_articles(tmp_path):
    # Row ids like "1" are common: two corpora that both use one must not merge into one passage.
    roots = []
    for city in ("Oslo", "Bergen"):
        root = tmp_path / city.lower()
        root.mkdir()
        (root / "rows.jsonl").write_text(json.dumps({"id": "1", "title": f"Mayor of {city} elected",
                                                     "text": f"{city} elected a new mayor on Monday after a close vote."}) + "\n")
        roots.append(root)
    assert run("index", *roots, "--index-dir", tmp_path / "idx").exit_code == 0
    data = json.loads(run("ask", "Which cities elected a new mayor?", "--llm", "none", "--json",
                          "--index-dir", tmp_path / "idx").stdout)
    assert sorted(c["title"] for c in data["citations"]) == ["Mayor of Bergen elected", "Mayor of Oslo elected"]
    assert {c["source"] for c in data["citations"]} == {"1"}
    assert sorted(c["root"] for c in data["citations"]) == sorted(str(r.resolve()) for r in roots)
    found = json.loads(run("search", "new mayor", "--json", "--index-dir", tmp_path / "idx").stdout)
    assert len({(r["root"], r["source"]) for r in found["results"]}) == 2
