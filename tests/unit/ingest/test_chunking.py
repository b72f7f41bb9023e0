from conftest import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.chunking import MAX_CHARS, chunk_article, chunk_body
from assistant.text.sentences import split_sentences
from assistant.types import Article


def seed_article():
    from assistant.ingest.problems import Problems
    from assistant.ingest.readers import read_articles

    return next(read_articles(SEEDS, Problems()))


def test_seed_chunks_carry_title_overlap_and_metadata():
    article = seed_article()
    chunks = chunk_article(article, root="seeds")
    assert len(chunks) >= 3
    for chunk in chunks:
        assert chunk.text.startswith(article.title + "\n\n")
        body = chunk_body(chunk.text, article.title)
        assert body == article.text[chunk.metadata["start"]:chunk.metadata["end"]]
        assert len(body) <= MAX_CHARS
    for before, after in zip(chunks, chunks[1:]):
        assert after.metadata["start"] < before.metadata["end"], "consecutive chunks overlap"
    assert chunks[0].metadata["source"] == "000_d07ae83fdbaebff6.txt" and "day" not in chunks[0].metadata


def test_dated_article_gets_a_day_number():
    chunk = chunk_article(Article("a", "T", "Body text.", published="2022-06-15"))[0]
    assert chunk.metadata["published"] == "2022-06-15" and chunk.metadata["day"] == 738321


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=30)
texts = st.lists(st.one_of(words, st.sampled_from([". ", "\n\n", "\n", "! ", " Mr. ", "U.S. ", "?\" "])), max_size=300).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=texts, title=words)
def test_chunks_cover_every_sentence_and_stay_in_bounds(text, title):
    chunks = chunk_article(Article("s", title, text))
    spans = split_sentences(text)
    if not spans:
        assert chunks == []
        return
    covered = [(c.metadata["start"], c.metadata["end"]) for c in chunks]
    for start, end in covered:
        assert 0 <= start < end <= len(text)
        assert end - start <= MAX_CHARS
    # Every non-blank character of the text lies in some chunk.
    for start, end in spans:
        for i in range(start, end):
            if not text[i].isspace():
                assert any(a <= i < b for a, b in covered)
    assert [c.metadata["chunk"] for c in chunks] == list(range(len(chunks)))
