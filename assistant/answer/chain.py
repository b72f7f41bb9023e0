"""The answer chain: (question, history) -> standalone question -> passages -> checks before
the model -> numbered excerpts -> prompt -> chat model -> checks after the model -> answer
whose [n] markers all point at excerpts, each cited with the sentences that support it.

It is one LangChain runnable over an `Asking` state; `Answerer.ask` runs it and streams
the answer's tokens to `on_token` as the model writes them. The checks themselves are
listed, in order, in `checks/__init__.py`.
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Generator, Sequence

from ..attribute.evidence import attribute, looks_attributive, speaker_of
from ..attribute.names import key, matches
from ..attribute.questions import asked as asked_in
from ..providers.llms import backend_error, prime
from ..retrieve.excerpts import focus, group
from ..text.safe import replace_surrogates
from ..text.words import content_words
from ..types import GAP, Answer, Citation, DateRange, Excerpt, Passage, Refusal, Turn
from .checks import Draft, Inquiry, Verdict, after_model, before_model
from .checks.corroboration import corroborated
from .checks.freshness import fresh
from .checks.injection import withhold
from .checks.restates import restates
from .conversation import needs_context, render_history
from .markers import marker_count, markers
from .prompts import answer_system, format_excerpts, load
from .quotes import supporting_sentences
from .refusals import REFUSAL, is_refusal
from .streaming import AnswerEnd, FirstLine, MarkerFilter, RefusalHold, stream_until


@dataclass
class Asking:
    """One question on its way through the chain; each step fills in its part."""

    question: str
    history: list[Turn]
    on_token: Callable[[str], None] | None
    today: str  # ISO date the model is told
    as_of: date | None
    dates: DateRange
    timings: dict[str, float] = field(default_factory=dict)
    standalone: str = ""
    passages: list[Passage] = field(default_factory=list)
    refusal: Verdict | None = None  # from the checks before the model
    asked: Any = None  # attribute.questions.Asked: the speaker the question asks about
    excerpts: list[Excerpt] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # sources whose passages addressed the model
    raw: str = ""  # the model's answer
    on_evidence: Callable[[list[Excerpt]], None] | None = None  # told which articles the model will read
    second: str = ""  # its second look, if it refused

    def timed(self, name: str, started: float) -> None:
        self.timings[name] = (time.monotonic() - started) * 1000

    def answer(self, **fields) -> Answer:
        return Answer(question=self.question, excerpts=self.excerpts, standalone=self.standalone,
                      withheld=self.withheld, **fields)


class Answerer:
    def __init__(self, retriever, llm, k: int = 8) -> None:
        """`llm` is a LangChain chat model, a function that makes one (called when the first
        answer is generated, so a question refused before the model never waits seconds
        for a local model to load), or None for retrieval only."""
        from langchain_core.runnables import Runnable, RunnableLambda

        self.retriever = retriever
        self.has_model = llm is not None
        self._make_llm = None if llm is None or isinstance(llm, Runnable) else llm
        self.llm = None if self._make_llm else llm  # the chat model, once loaded
        self._model_chains = self._chains(self.llm)
        self.k = k
        self.chain = (
            RunnableLambda(self._standalone)
            | RunnableLambda(self._retrieve)
            | RunnableLambda(self._excerpts)
            | RunnableLambda(self._refuse_early)
            | RunnableLambda(self._generate)
            | RunnableLambda(self._second_look)
            | RunnableLambda(self._finish)
        )

    @staticmethod
    def _chains(llm) -> dict | None:
        """The runnables that call the model: answer, second look, condense."""
        if llm is None:
            return None
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

        def answering(second_look: bool):
            return ChatPromptTemplate.from_messages(
                [("system", answer_system(second_look=second_look)), ("human", load("answer_user.txt"))])

        answer_prompt = answering(second_look=False)
        prime(llm, answer_prompt.messages[0].format().content)  # the system message as the model sees it
        return {
            "generate": answer_prompt | llm | StrOutputParser(),
            "look_again": answering(second_look=True) | llm | StrOutputParser(),
            "condense": PromptTemplate.from_template(load("condense.txt")) | llm | StrOutputParser(),
        }

    def load_model(self, with_parser: bool = True) -> None:
        """Load the model now (before a chat prompt or timed runs) and the checks' parser, so
        neither delays the first answer; one answer loads the parser while the model reads."""
        if self.llm is None and self._make_llm is not None:
            self.llm = self._make_llm()
            self._model_chains = self._chains(self.llm)
        if self.has_model:
            from ..providers.nlp import parser, preload

            (parser if with_parser else preload)()

    def model_chain(self, name: str):
        """`generate`, `look_again` or `condense`: prompt | model | text."""
        self.load_model(with_parser=False)
        assert self._model_chains is not None
        return self._model_chains[name]

    def model_stream(self, name: str, variables: dict, end: AnswerEnd | FirstLine) -> Generator[str, None, None]:
        """What the model writes for `model_chain(name)`, piece by piece, until `end` says the
        rest would be thrown away; closing it stops the model (`streaming.stream_until`)."""
        chain = self.model_chain(name)  # prompt | model | text
        return stream_until(chain.middle[0], chain.first.invoke(variables), end)

    def model_text(self, name: str, variables: dict, end: AnswerEnd | FirstLine) -> str:
        return "".join(self.model_stream(name, variables, end))

    def ask(self, question: str, history: Sequence[Turn] = (), on_token: Callable[[str], None] | None = None,
            as_of: date | None = None, dates: DateRange = DateRange(),
            on_evidence: Callable[[list[Excerpt]], None] | None = None) -> Answer:
        """`on_evidence` gets the articles the model is about to read (one excerpt each, in
        passage order) as soon as they are known, before they are cut to the question and
        long before the first token: the terminal shows them while the model reads."""
        started = time.monotonic()
        state = Asking(question=replace_surrogates(question).strip(), history=list(history), on_token=on_token,
                       today=(as_of or date.today()).isoformat(), as_of=as_of, dates=dates, on_evidence=on_evidence)
        try:
            answer = self.chain.invoke(state)
        except Exception as exc:
            error = backend_error(exc)
            if error is None:
                raise
            raise error from exc
        state.timed("total", started)
        answer.timings_ms = {key: round(value) for key, value in state.timings.items()}
        return answer

    def standalone_question(self, question: str, history: Sequence[Turn]) -> str:
        """The question rewritten to stand on its own, when it leans on the conversation."""
        if not history or not self.has_model or not needs_context(question):
            return question
        text = self.model_text("condense", {"history": render_history(history), "question": question}, FirstLine())
        rewritten = text.strip().splitlines()[0].strip().strip('"') if text.strip() else ""
        if content_words(rewritten) and rewritten.endswith("?") and len(rewritten) <= 3 * len(question) + 200:
            return rewritten
        # The model answered or rambled instead: let the previous question carry the context.
        return f"{history[-1].question} {question}"

    def _standalone(self, state: Asking) -> Asking:
        started = time.monotonic()
        state.standalone = self.standalone_question(state.question, state.history)
        if state.standalone != state.question:
            state.timed("condense", started)
        return state

    def _retrieve(self, state: Asking) -> Asking:
        started = time.monotonic()
        passages = self.retriever.search(state.standalone, k=self.k, dates=state.dates, as_of=state.as_of)
        history = state.history
        if history and history[-1].cited and needs_context(state.question):
            # "How many did it kill?": the passages the last answer cited stay in play.
            found = {p.id for p in passages}
            extra = [p for p in self.retriever.get(history[-1].cited) if p.id not in found][: max(1, self.k // 2)]
            passages = passages[: max(self.k - len(extra), 1)] + extra
        state.passages = passages
        state.timed("retrieve", started)
        return state

    def _refuse_early(self, state: Asking) -> Asking:
        """The checks before the model: refuse when the articles cannot answer."""
        state.refusal = before_model(Inquiry(state.standalone, state.passages, state.as_of, self.retriever.lexical,
                                             self.has_model, state.excerpts, state.asked))
        return state

    def _excerpts(self, state: Asking) -> Asking:
        """One excerpt per article, without those that address the model; for a question
        about what someone said, each sentence's speaker; then each cut to what the
        question needs (that person's statements first)."""
        started = time.monotonic()
        if state.passages and looks_attributive(state.standalone):
            state.asked = asked_in(state.standalone)
            if state.asked is not None and state.asked.speaker:
                # Chunks naming that speaker first (more of the same articles too): kept when room is short.
                name = key(state.asked.speaker, state.asked.speaker_kind)
                passages = state.passages + self.retriever.more_of(state.passages, name, state.standalone)
                state.passages = sorted(passages, key=lambda p: not set(content_words(name)) <= set(content_words(p.text)))
        state.excerpts, state.withheld = withhold(group(state.passages))
        if state.on_evidence and state.excerpts and self.has_model:
            state.on_evidence(state.excerpts)
        favoured = None
        if state.excerpts and state.asked is not None:
            attribute(state.excerpts)
            if state.asked.speaker:
                name, kind = state.asked.speaker, state.asked.speaker_kind
                favoured = lambda e, s: (who := speaker_of(e, s)) is not None and matches(name, kind, who)  # noqa: E731
            state.timed("speakers", started)
        started = time.monotonic()
        focus(state.standalone, state.excerpts, self.retriever.embeddings, favoured=favoured)
        state.timed("focus", started)
        return state

    def _variables(self, state: Asking) -> dict:
        # A question about what someone said reads that person's statements, labelled, and
        # the unlabelled sentences beside them; "who said ..." every statement labelled.
        asked = state.asked
        only = (asked.speaker, asked.speaker_kind) if asked is not None and asked.speaker else None
        passages = format_excerpts(state.excerpts, speakers=asked is not None, only=only)
        return {"today": state.today, "question": state.standalone, "passages": passages}

    def _generate(self, state: Asking) -> Asking:
        if not self.has_model or state.refusal is not None or not state.excerpts:
            return state
        if self.llm is None:  # loaded on first use: timed on its own, not as the model's reading
            started = time.monotonic()
            self.load_model(with_parser=False)
            state.timed("load_model", started)
        started = time.monotonic()
        on_token = state.on_token
        shown, held = MarkerFilter(len(state.excerpts)), RefusalHold()
        pieces: list[str] = []
        with closing(self.model_stream("generate", self._variables(state), AnswerEnd())) as stream:  # Ctrl-C stops the model too
            for piece in stream:
                if not pieces:
                    state.timed("first_token", started)
                pieces.append(piece)
                if on_token:
                    on_token(held.feed(shown.feed(piece)))
        if on_token:
            on_token(held.feed(shown.flush()))
        state.timed("generate", started)
        state.raw = "".join(pieces)
        return state

    def _second_look(self, state: Asking) -> Asking:
        """After the model refused, ask once more without the refusal rule, when the
        passages could vouch for an answer: one is from the weeks before the question's
        date, or there are several articles. On the dev sets most refusals of answerable
        questions had the answer in front of the model, which balked at the question's
        time words ("this week") or at snippets that state it in passing; `_finish` keeps
        the second answer only if the passages vouch for it (`_vouched`) and it passes
        every check the first one would have."""
        if not self.has_model or state.refusal is not None or not state.raw or not is_refusal(state.raw):
            return state
        if len(state.excerpts) < 2 and not _recent(state.excerpts, state.today):
            return state
        started = time.monotonic()
        state.second = self.model_text("look_again", self._variables(state), AnswerEnd())
        state.timed("second_look", started)
        return state

    def _finish(self, state: Asking) -> Answer:
        if state.refusal is not None:
            verdict = state.refusal
            return state.answer(answer=f"{REFUSAL} {verdict.reason}".strip(), refused=True, refused_by=verdict.refusal,
                                citations=[_citation(state.excerpts[n - 1], quote) for n, quote in verdict.cited])
        if not state.excerpts:  # everything relevant was withheld
            return state.answer(answer=REFUSAL, refused=True, refused_by=Refusal.ALL_WITHHELD)
        if not self.has_model:
            # Retrieval only: the best excerpts, each with its sentences closest to the question.
            best = [(e, GAP.join(supporting_sentences(state.standalone, e.sentence_texts, prefer=[s.text for s in e.ranked])))
                    for e in state.excerpts]
            return state.answer(answer="", refused=False, citations=[_citation(e, quote) for e, quote in best])
        if not is_refusal(state.raw):
            return self._checked(state.raw, state)
        refused = state.answer(answer=REFUSAL, refused=True, refused_by=Refusal.MODEL, raw=state.raw)
        return self._kept_second_look(state) or refused

    def _kept_second_look(self, state: Asking) -> Answer | None:
        """The second look's answer, if it passes the usual checks, the passages vouch for
        it and it is not the question handed back (which a model pushed to answer
        sometimes does)."""
        text = state.second
        if not text or is_refusal(text):
            return None
        # Vouched for by what the model cited, not by the corroborating markers added after.
        plain = self._checked(text, state, corroborate=False)
        if plain.refused or not _vouched(plain, state) or restates(plain.answer, state.standalone):
            return None
        answer = self._checked(text, state)
        answer.second_look = True
        return answer

    def _checked(self, raw: str, state: Asking, corroborate: bool = True) -> Answer:
        """The model's answer through the checks after the model: its markers checked and
        its quotes found, or a refusal when it states what no passage does."""
        draft = after_model(Draft(raw, state.excerpts, state.standalone, state.today, corroborate=corroborate,
                                  asked=state.asked))
        # Every quote shown says whose words it is.
        attribute(state.excerpts[c.n - 1] for c in draft.cited)
        if draft.refused_by is not None:
            return state.answer(answer=f"{REFUSAL} {draft.reply}".strip(), refused=True, refused_by=draft.refused_by, raw=raw,
                                citations=[_citation(state.excerpts[c.n - 1], c.quote) for c in draft.cited])
        return state.answer(
            answer=draft.text, refused=False, raw=raw, dropped_markers=draft.dropped_markers,
            pruned_markers=draft.markers_before_pruning - draft.markers_kept,
            added_markers=marker_count(draft.text) - draft.markers_kept,
            corroborating=sorted(set(markers(draft.text)) - draft.own_markers),
            citations=[_citation(state.excerpts[c.n - 1], c.quote) for c in draft.cited],
            corrected_by=draft.corrected_by,
        )


def _vouched(answer: Answer, state: Asking) -> bool:
    """A cited passage is from the weeks before the question's date, or a cited passage
    and another of the excerpts (each one article) both name the answer (`corroborated`).
    The second is what undated collections have; on the dev sets it kept 9 answers on rgb,
    all right, and nothing on rtqa-dev the first had not (eval/reports/README.md)."""
    excerpts = state.excerpts
    if _recent([excerpts[c.n - 1] for c in answer.citations], state.today):
        return True
    return corroborated(answer.answer, [e.titled_text for e in excerpts], state.standalone,
                        cited=[c.n - 1 for c in answer.citations])


def _recent(excerpts: Sequence[Excerpt], today: str) -> bool:
    """Some excerpt comes from an article of the weeks up to `today` (ISO date)."""
    reference = date.fromisoformat(today)
    return any(fresh(e.first, reference) for e in excerpts)


def _citation(excerpt: Excerpt, quote: str) -> Citation:
    p = excerpt.first
    chunk_id = excerpt.chunk_of(quote)
    page = next((q.page for q in excerpt.passages if q.id == chunk_id), p.page)  # the quoted chunk's PDF page
    pieces = quote.split(GAP)
    first = next((s for s in excerpt.sentences if s.text == pieces[0]), None)
    last = next((s for s in excerpt.sentences if s.text == pieces[-1]), None)
    who = speaker_of(excerpt, first) if first is not None else None
    return Citation(n=excerpt.n, source=p.source, chunk_id=chunk_id, title=p.title, published=p.published, url=p.url,
                    quote=quote, root=p.root, site=p.site, authors=p.authors, page=page, speaker=who.name if who else "",
                    start=first.start if first and last else None, end=last.start + len(last.text) if first and last else None)
