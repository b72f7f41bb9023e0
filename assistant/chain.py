"""The answer chain: (question, history) -> standalone question -> passages -> prompt ->
chat model -> answer whose [n] markers all point at passages, each with its quote.

It is one LangChain runnable; `Answerer.ask` runs it and streams the answer's tokens
to `on_token` as the model writes them.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Sequence

from .citations import REFUSAL, MarkerFilter, add_missing_markers, clean_markers, is_refusal, quotes, supporting_sentences
from .prompts import load
from .retrieval import DateRange, Passage, Retriever
from .text import content_words

# Below this cosine similarity nothing retrieved is about the question: refuse without
# spending seconds of generation.
MIN_SIMILARITY = 0.2
HISTORY_TURNS = 3
# Words that make a question lean on the conversation ("how many did it kill?").
_REFERRING = set("it its they them their theirs he him his she her hers this that these those there then".split())


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str


@dataclass
class Citation:
    n: int
    source: str
    chunk_id: str
    title: str
    published: str
    url: str
    quote: str
    text: str

    def as_json(self) -> dict:
        return {key: getattr(self, key) for key in ("n", "source", "chunk_id", "title", "published", "url", "quote")}


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    standalone: str = ""
    timings_ms: dict = field(default_factory=dict)
    raw: str = ""  # what the model wrote, before markers were checked
    dropped_markers: int = 0

    def as_json(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone or self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.as_json() for c in self.citations],
            "timings_ms": self.timings_ms,
        }


def needs_context(question: str) -> bool:
    words = re.findall(r"[a-z']+", question.lower())
    return len(words) < 4 or any(word in _REFERRING for word in words)


def render_history(history: Sequence[Turn]) -> str:
    lines = []
    for turn in history[-HISTORY_TURNS:]:
        lines.append(f"User: {turn.question}")
        lines.append(f"Assistant: {clean_markers(turn.answer, 0)[0]}")
    return "\n".join(lines)


def _data(text: str) -> str:
    """Passage text as inert data: its own [n] look-alikes and our delimiters defused."""
    text = re.sub(r"\[(\s*\d+(?:\s*,\s*\d+)*\s*)\]", r"(\1)", text)
    return re.sub(r"</?\s*passage", "passage", text, flags=re.I)


def format_passages(passages: Sequence[Passage]) -> str:
    template = load("passage.txt")
    return "\n".join(
        template.format(
            n=n, source=_data(p.source), published=p.published or "unknown",
            title=_data(p.title) or "(none)", text=_data(p.text),
        )
        for n, p in enumerate(passages, start=1)
    )


class Answerer:
    def __init__(self, retriever: Retriever, llm, k: int = 4) -> None:
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
        from langchain_core.runnables import RunnableBranch, RunnableLambda, RunnablePassthrough

        self.retriever = retriever
        self.llm = llm
        self.k = k
        if llm is not None:
            answer_prompt = ChatPromptTemplate.from_messages(
                [("system", load("answer_system.txt")), ("human", load("answer_user.txt"))]
            )
            self.generate = answer_prompt | llm | StrOutputParser()
            self.condense = PromptTemplate.from_template(load("condense.txt")) | llm | StrOutputParser()
        self.chain = (
            RunnablePassthrough.assign(standalone=RunnableLambda(self._standalone))
            | RunnablePassthrough.assign(passages=RunnableLambda(self._retrieve))
            | RunnablePassthrough.assign(
                raw=RunnableBranch(
                    (lambda x: self.llm is None or not self.relevant(x["passages"]), lambda x: ""),
                    RunnableLambda(self._generate),
                )
            )
            | RunnableLambda(self._finish)
        )

    def ask(self, question: str, history: Sequence[Turn] = (), on_token: Callable[[str], None] | None = None,
            as_of: date | None = None, dates: DateRange = DateRange()) -> Answer:
        timings: dict[str, float] = {}
        started = time.monotonic()
        answer = self.chain.invoke({
            "question": question.strip(), "history": list(history), "on_token": on_token,
            "today": (as_of or date.today()).isoformat(), "as_of": as_of, "dates": dates, "timings": timings,
        })
        timings["total"] = (time.monotonic() - started) * 1000
        answer.timings_ms = {key: round(value) for key, value in timings.items()}
        return answer

    @staticmethod
    def relevant(passages: Sequence[Passage]) -> bool:
        return any((p.similarity or 0.0) >= MIN_SIMILARITY for p in passages)

    def _standalone(self, inputs: dict) -> str:
        question, history = inputs["question"], inputs["history"]
        if not history or self.llm is None or not needs_context(question):
            return question
        started = time.monotonic()
        text = self.condense.invoke({"history": render_history(history), "question": question})
        inputs["timings"]["condense"] = (time.monotonic() - started) * 1000
        rewritten = text.strip().splitlines()[0].strip().strip('"') if text.strip() else ""
        # A rewrite that lost the question or rambles on is worse than none.
        if not content_words(rewritten) or len(rewritten) > 3 * len(question) + 200:
            return question
        return rewritten

    def _retrieve(self, inputs: dict) -> list[Passage]:
        started = time.monotonic()
        passages = self.retriever.search(inputs["standalone"], k=self.k, dates=inputs["dates"], as_of=inputs["as_of"])
        inputs["timings"]["retrieve"] = (time.monotonic() - started) * 1000
        return passages

    def _generate(self, inputs: dict) -> str:
        started = time.monotonic()
        on_token = inputs["on_token"]
        pieces = []
        variables = {
            "today": inputs["today"], "question": inputs["standalone"],
            "passages": format_passages(inputs["passages"]),
        }
        shown = MarkerFilter(len(inputs["passages"]))
        for piece in self.generate.stream(variables):
            if not pieces:
                inputs["timings"]["first_token"] = (time.monotonic() - started) * 1000
            pieces.append(piece)
            if on_token:
                on_token(shown.feed(piece))
        if on_token:
            on_token(shown.flush())
        inputs["timings"]["generate"] = (time.monotonic() - started) * 1000
        return "".join(pieces)

    def _finish(self, inputs: dict) -> Answer:
        passages: list[Passage] = inputs["passages"]
        base = dict(question=inputs["question"], passages=passages, standalone=inputs["standalone"])
        if self.llm is None and passages and self.relevant(passages):
            # Retrieval only: the best passages, each with its most relevant sentences.
            citations = [
                self._citation(passages, n, " … ".join(supporting_sentences(inputs["standalone"], p.text)))
                for n, p in enumerate(passages, start=1)
            ]
            return Answer(answer="", refused=False, citations=citations, **base)
        raw = inputs["raw"]
        base["raw"] = raw
        if not passages or not self.relevant(passages) or is_refusal(raw):
            return Answer(answer=REFUSAL, refused=True, **base)
        text, dropped = clean_markers(raw, len(passages))
        texts = [p.text for p in passages]
        text = add_missing_markers(text, texts)
        cited = quotes(text, texts, inputs["standalone"])
        return Answer(
            answer=text, refused=False, dropped_markers=dropped,
            citations=[self._citation(passages, c.n, c.quote) for c in cited], **base,
        )

    @staticmethod
    def _citation(passages: Sequence[Passage], n: int, quote: str) -> Citation:
        p = passages[n - 1]
        return Citation(n=n, source=p.source, chunk_id=p.id, title=p.title, published=p.published,
                        url=p.url, quote=quote, text=p.text)
