"""The values that travel between the stages: what is read, stored, retrieved and answered.

Each stage's folder imports these from here, so no stage imports another only for a type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

GAP = " … "  # between quoted sentences that are not next to each other


@dataclass(frozen=True)
class Article:
    source: str
    title: str
    text: str
    published: str = ""
    url: str = ""
    authors: tuple[str, ...] = ()
    site: str = ""  # the publication's name, as the page or feed gives it
    pages: tuple[int, ...] = ()  # a PDF's: where each page begins in `text` (page n starts at pages[n - 1])

    def page_at(self, offset: int) -> int | None:
        """The page (from 1) that holds `text[offset]`, for articles read from a PDF."""
        import bisect

        return bisect.bisect_right(self.pages, offset) if self.pages else None


@dataclass(frozen=True)
class Chunk:
    text: str  # what is embedded and stored: title header + body
    metadata: dict


@dataclass(frozen=True)
class DateRange:
    since: date | None = None
    until: date | None = None

    def where(self) -> dict | None:
        clauses: list[dict] = []
        if self.since:
            clauses.append({"day": {"$gte": self.since.toordinal()}})
        if self.until:
            clauses.append({"day": {"$lte": self.until.toordinal()}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def bounds(self) -> tuple[int | None, int | None]:
        return (self.since.toordinal() if self.since else None, self.until.toordinal() if self.until else None)


@dataclass(frozen=True)
class Passage:
    id: str
    source: str
    title: str
    published: str
    url: str
    text: str
    chunk: int
    start: int = 0  # where the text begins in its article
    day: int | None = None  # publication day number (see chunking.day_number)
    score: float = 0.0
    similarity: float | None = None  # cosine similarity to the question, when known
    ranks: dict = field(default_factory=dict, compare=False)
    root: str = ""  # the corpus path it was indexed from: sources are only unique within one
    page: int | None = None  # the PDF page it is on
    site: str = ""
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Speaker:
    """Who says a sentence: a person or organisation as the article names them (the longest
    form seen), what kind of name it is (spaCy's PERSON, ORG..., or GROUP for "Iranian
    authorities"), the other names it goes by there ("Khamenei", "ISIS"), and the titles
    it is described by ("Iran's Supreme Leader")."""

    name: str
    kind: str = "PERSON"
    aliases: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    start: int  # offset in the article
    text: str
    chunk_id: str


def join(sentences: list[Sentence]) -> str:
    """Sentences as one text: a space between neighbours, GAP where the article skips some."""
    out = []
    for i, sentence in enumerate(sentences):
        if i:
            previous = sentences[i - 1]
            out.append(" " if sentence.start - (previous.start + len(previous.text)) <= 4 else GAP)
        out.append(sentence.text)
    return "".join(out)


@dataclass
class Excerpt:
    """One article's retrieved text as the model reads it, numbered [n]."""

    n: int
    passages: list[Passage]  # the article's retrieved chunks, best first
    sentences: list[Sentence]  # all their sentences, once each, in article order
    shown: list[Sentence] = field(default_factory=list)  # what the model reads
    ranked: list[Sentence] = field(default_factory=list)  # closest to the question first, once focused
    speakers: dict[int, Speaker] | None = None  # by sentence start, once attributed (attribute/evidence.py)

    @property
    def first(self) -> Passage:
        return self.passages[0]

    @property
    def text(self) -> str:
        """The focused text given to the model."""
        return join(self.shown)

    @property
    def full_text(self) -> str:
        return join(self.sentences)

    @property
    def titled_text(self) -> str:
        """Title and all retrieved sentences: what can name an answer drawn from it."""
        return f"{self.first.title} {self.full_text}"

    @property
    def sentence_texts(self) -> list[str]:
        return [s.text for s in self.sentences]

    def chunk_of(self, quote: str) -> str:
        """Id of the chunk a quoted sentence comes from."""
        head = quote.split(GAP)[0]
        return next((s.chunk_id for s in self.sentences if s.text == head), self.first.id)


class Refusal(str, Enum):
    """Why an answer was refused: the check that refused it. The values are what
    `--json` and the eval reports show as `refused_by`."""

    NO_RELEVANT_PASSAGE = "no relevant passage"
    UNKNOWN_NAME = "unknown name"
    NAME_NOT_IN_PASSAGES = "name not in passages"
    OUT_OF_DATE = "out of date"
    ALL_WITHHELD = "all withheld"
    MODEL = "model"  # it said the passages do not answer, and a second look found nothing it may keep
    UNSUPPORTED_NUMBER = "unsupported number"
    UNSUPPORTED_COUNT = "unsupported count"
    UNCITED = "uncited"  # nothing in the answer points at or matches a passage
    PLANTED = "planted instruction"  # the answer rests only on sentences that give the reader orders
    MISATTRIBUTED = "misattributed"  # the question or the answer puts words in a mouth the passages do not

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str
    cited: tuple[str, ...] = ()  # chunk ids the answer cited: candidates for a follow-up


@dataclass
class Citation:
    n: int
    source: str
    chunk_id: str
    title: str
    published: str
    url: str
    quote: str
    root: str = ""  # the corpus path the source is relative to
    site: str = ""
    authors: tuple[str, ...] = ()
    page: int | None = None  # the PDF page of the quoted chunk
    speaker: str = ""  # who says the quoted sentence, when the answer's attribution was checked
    start: int | None = None  # the quote's span in the article's text (as `assistant extract` shows it)
    end: int | None = None

    def as_json(self) -> dict:
        data = {key: getattr(self, key) for key in ("n", "source", "chunk_id", "title", "published", "url", "quote", "root")}
        return {**data, "site": self.site, "authors": list(self.authors), "page": self.page,
                "speaker": self.speaker or None, "start": self.start, "end": self.end}


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    excerpts: list[Excerpt] = field(default_factory=list)
    standalone: str = ""
    timings_ms: dict = field(default_factory=dict)
    raw: str = ""  # what the model wrote, before markers were checked
    dropped_markers: int = 0  # pointed at no passage
    pruned_markers: int = 0  # pointed at a passage naming none of what the sentence adds to the question
    added_markers: int = 0  # of other passages naming the direct answer (checks/corroboration.py)
    corroborating: list[int] = field(default_factory=list)  # numbers cited only by those markers
    withheld: list[str] = field(default_factory=list)  # sources whose passages addressed the model
    refused_by: Refusal | None = None  # None if answered
    second_look: bool = False  # answered by the second look after the model refused
    corrected_by: Refusal | None = None  # the check that rewrote the model's answer from the evidence

    @property
    def primary_citations(self) -> list[Citation]:
        """The citations without the passages only the corroborating markers cite: what the
        answer was drawn from, and what a follow-up question keeps in play."""
        return [c for c in self.citations if c.n not in self.corroborating]

    def as_json(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone or self.question,
            "answer": self.answer,
            "refused": self.refused,
            "refused_by": self.refused_by.value if self.refused_by else None,
            "second_look": self.second_look,
            "corrected_by": self.corrected_by.value if self.corrected_by else None,
            "citations": [c.as_json() for c in self.citations],
            "corroborating": self.corroborating,  # citation numbers cited only by the corroborating markers
            "timings_ms": self.timings_ms,
            "withheld_sources": self.withheld,
        }
