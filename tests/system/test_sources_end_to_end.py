"""From an empty index dir: a feed file, a PDF and a URL from a local server indexed in one
`assistant index` run, then answered by the real local model with citations that show
their metadata (the PDF's page, the page's site and date). About a minute."""

import io
import json

import pytest
from documents import make_pdf, news_page, rss
from reliability import run_cli
from webserver import serving

from assistant.answer.chain import Answerer
from assistant.config import Settings
from assistant.providers.llms import get_chat_model
from assistant.retrieve.retriever import Retriever

pytestmark = pytest.mark.llm

FILLER = ["Officials gave no further details on Thursday.", "A full report is expected later this year."]


def test_a_feed_a_pdf_and_a_url_indexed_together_and_cited_with_their_metadata(tmp_path, embeddings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "wire.rss").write_bytes(rss([{"title": "Aldmoor ferry strike ends", "link": "https://wire.test/ferry",
                                            "published": "2022-06-13T08:00:00+00:00", "author": "Omar Haddad",
                                            "text": "Ferry crews in Aldmoor ended their strike on Monday after winning a 6 percent raise.\n\n"
                                                    + " ".join(FILLER)}], title="Coastal Wire"))
    (corpus / "report.pdf").write_bytes(make_pdf(
        [["Port of Brindle", "Annual report 2021"],
         ["The port of Brindle handled 3.4 million tonnes of cargo in 2021, a record for the port."] + FILLER],
        title="Port of Brindle annual report 2021", created="D:20220301090000Z"))
    with serving() as web:
        web.set("/docks", news_page("Velmar to build two docks",
                                    ["The Velmar harbour authority will build two new docks next year, its director Ana Ruiz said on Wednesday.",
                                     "The docks will cost 40 million euros and open in 2024."] + FILLER,
                                    published="2022-06-15T10:00:00+02:00", author="Jane Doe", site="Harbour Gazette"))
        index_dir = tmp_path / "index"
        indexed = run_cli("index", corpus, web.url + "/docks", "--index-dir", index_dir, "--json")
        assert indexed.returncode == 0, indexed.stderr
        report = json.loads(indexed.stdout)
        assert report["sources_added"] == 3 and report["warnings"] == []

        # The answers in-process, so the model loads once; the same chain and rendering as `ask`.
        answerer = Answerer(Retriever(Settings(index_dir=index_dir), embeddings), get_chat_model("local"))

        pdf = answerer.ask("How much cargo did the port of Brindle handle in 2021?")
        assert "3.4 million" in pdf.answer, pdf.answer
        [cited] = [c for c in pdf.as_json()["citations"] if c["source"] == "report.pdf"]
        assert cited["page"] == 2 and "3.4 million tonnes" in cited["quote"]
        assert "report.pdf, p. 2" in shown(pdf)

        page = answerer.ask("Who announced that Velmar will build two new docks?")
        assert "Ana Ruiz" in page.answer, page.answer
        assert f"{web.url}/docks · Harbour Gazette · 2022-06-15" in shown(page), shown(page)

        feed = answerer.ask("How large a raise did the Aldmoor ferry crews win?")
        assert "6" in feed.answer, feed.answer
        cited = feed.as_json()["citations"][0]
        assert (cited["source"], cited["site"], cited["authors"], cited["published"], cited["page"]) == (
            "https://wire.test/ferry", "Coastal Wire", ["Omar Haddad"], "2022-06-13", None)


def shown(answer) -> str:
    from rich.console import Console

    from assistant.ui import render

    console = Console(file=io.StringIO(), width=200)
    render.answer(answer, console=console)
    return console.file.getvalue()
