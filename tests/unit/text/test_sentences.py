from assistant.text.sentences import split_sentences


def sentences(text):
    return [text[a:b] for a, b in split_sentences(text)]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = 'Mr. Smith met Sen. Jones in the U.S. capital. J. K. Rowling wrote "a book." Then they left!'
    assert sentences(text) == ["Mr. Smith met Sen. Jones in the U.S. capital.", 'J. K. Rowling wrote "a book."', "Then they left!"]


def test_paragraphs_and_headlines_are_boundaries_but_wrapped_lines_are_not():
    text = "Headline here\n\nFirst paragraph goes on\nacross a wrapped line. Second sentence."
    assert sentences(text) == ["Headline here", "First paragraph goes on\nacross a wrapped line.", "Second sentence."]
