"""Turn retrieved chunks into the numbered excerpts the model reads: one per article.

Chunks of the same article overlap and repeat each other, and a small local model reads
prompts at 70-150 tokens/s on two cores, so every needless sentence costs time to first
token and distracts it. Chunks are merged per article (title once), their sentences
de-duplicated and ranked by MiniLM similarity to the question plus shared content
words, and the best kept verbatim, in article order, within a character budget.
"""

from __future__ import annotations

from typing import Callable

from ..text.sentences import split_sentences
from ..text.words import content_words
from ..types import Excerpt, Passage, Sentence, join

READ_CHARS = 3200  # retrieved text considered for one answer
BUDGET = 1400  # characters of it that reach the prompt, shared by the excerpts
MIN_EACH = 200  # ... but no excerpt gets less


def group(passages: list[Passage], max_chars: int = READ_CHARS) -> list[Excerpt]:
    """One excerpt per article, in the order their best chunk was retrieved, from the
    best passages that fit in `max_chars` (many short snippets, or a few long chunks)."""
    by_source: dict[tuple[str, str], list[Passage]] = {}
    used = 0
    for passage in passages:
        if by_source and used + len(passage.text) > max_chars:
            break
        used += len(passage.text)
        # Two corpora may both hold a `story.txt` or a row with id "1": different articles.
        by_source.setdefault((passage.root, passage.source), []).append(passage)
    excerpts: list[Excerpt] = []
    texts: set[str] = set()
    for chunks in by_source.values():
        seen: dict[int, Sentence] = {}
        for chunk in chunks:
            for a, b in split_sentences(chunk.text):
                seen.setdefault(chunk.start + a, Sentence(chunk.start + a, chunk.text[a:b], chunk.id))
        sentences = [seen[start] for start in sorted(seen)]
        if join(sentences) in texts:  # the same text syndicated under another id
            continue
        texts.add(join(sentences))
        excerpts.append(Excerpt(n=len(excerpts) + 1, passages=chunks, sentences=sentences, shown=list(sentences)))
    return excerpts


def focus(question: str, excerpts: list[Excerpt], embeddings, budget: int = BUDGET, min_each: int = MIN_EACH,
          favoured: Callable[[Excerpt, Sentence], bool] | None = None) -> None:
    """Keep, in each excerpt, the sentences most relevant to the question; `favoured` ones
    (the statements of the person a question asks about) first."""
    everything = [s for e in excerpts for s in e.sentences]
    if not everything:
        return
    # Providers without a fast path for short texts embed them like documents.
    embed = getattr(embeddings, "embed_short", embeddings.embed_documents)
    question_vector, *vectors = embed([question] + [s.text for s in everything])
    wanted = set(content_words(question))
    score = {
        id(s): sum(q * v for q, v in zip(question_vector, vector)) + 0.05 * len(wanted & set(content_words(s.text)))
        for s, vector in zip(everything, vectors)
    }
    each = max(min_each, budget // len(excerpts))
    for excerpt in excerpts:
        keep: list[Sentence] = []
        used = 0
        first = {id(s) for s in excerpt.sentences if favoured is not None and favoured(excerpt, s)}
        excerpt.ranked = sorted(excerpt.sentences, key=lambda s: (id(s) not in first, -score[id(s)]))
        for sentence in excerpt.ranked:
            if keep and used + len(sentence.text) > each:
                continue
            keep.append(sentence)
            used += len(sentence.text)
        excerpt.shown = sorted(keep, key=lambda s: s.start)
