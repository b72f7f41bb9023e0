"""Statements put in the wrong mouth: corrected from the evidence or refused (real spaCy parse,
hand-made passages; the end-to-end cases with the real model are in test_chain.py)."""

from assistant.answer.checks.attribution import check
from assistant.answer.checks.base import Draft, Inquiry
from assistant.answer.checks.speaker_premise import check as premise
from assistant.attribute.questions import Asked
from assistant.types import Excerpt, Passage, Refusal, Sentence

SENTENCES = [
    "Iranian Foreign Minister Mohammad Javad Zarif blamed the attack on “regional terror sponsors and their US masters”.",
    "US Secretary of State Mike Pompeo replied, “When you have a security incident at home, blaming others is an enormous mistake.”",
    "Japan's Defense Minister Nobuo Kishi said five of the missiles landed in Japan's exclusive economic zone.",
]


def passage_of(*texts: str) -> Excerpt:
    passage = Passage(id="c1", source="a.txt", title="", published="", url="", text=" ".join(texts), chunk=0, similarity=0.6)
    sentences, start = [], 0
    for text in texts:
        sentences.append(Sentence(start, text, "c1"))
        start += len(text) + 1
    return Excerpt(n=1, passages=[passage], sentences=sentences, shown=list(sentences), ranked=list(sentences))


def run(answer: str, question: str, asked: Asked | None) -> Draft:
    from assistant.answer.checks.quoted import cite

    draft = Draft(answer, [passage_of(*SENTENCES)], question, "2022-08-05", asked=asked)
    cite(draft)
    check(draft)
    return draft


def test_an_answer_in_the_right_mouth_passes():
    draft = run("Zarif blamed the attack on regional terror sponsors [1].", "Whom did Zarif blame?", None)
    assert draft.refused_by is None and draft.corrected_by is None


def test_what_someone_said_is_answered_with_their_own_words_when_the_model_quoted_another():
    draft = run("Mike Pompeo said Zarif blamed the attack on regional terror sponsors and their US masters [1].",
                "What did Pompeo say about Zarif?", Asked("what-did-say", "Pompeo", "PERSON"))
    assert draft.corrected_by is Refusal.MISATTRIBUTED and draft.refused_by is None
    assert "enormous mistake" in draft.text and draft.text.endswith("[1].”")
    assert [c.quote for c in draft.cited] == [SENTENCES[1]]


def test_a_claim_according_to_someone_who_did_not_make_it_is_refused_naming_who_did():
    draft = run("Five missiles landed in Japan's exclusive economic zone [1].",
                "According to Taiwan's President Tsai Ing-wen, how many missiles landed in Japan's EEZ?",
                Asked("according-to", "Tsai Ing-wen", "PERSON"))
    assert draft.refused_by is Refusal.MISATTRIBUTED
    assert "Nobuo Kishi" in draft.reply and "not Tsai Ing-wen" in draft.reply
    assert [c.quote for c in draft.cited] == [SENTENCES[2]]


def test_who_said_gets_the_real_speaker():
    draft = run("Zarif said it [1].", "Who said blaming others is an enormous mistake?", Asked("who-said"))
    assert draft.corrected_by is Refusal.MISATTRIBUTED and draft.text == "Mike Pompeo said it [1]."


def test_a_question_about_someone_the_passages_do_not_quote_on_it_is_refused_before_the_model():
    from assistant.attribute.evidence import attribute

    excerpts = [passage_of(*SENTENCES)]
    attribute(excerpts)

    def ask(question: str, speaker: str):
        return premise(Inquiry(question, [], None, None, True, excerpts, Asked("according-to", speaker, "PERSON")))

    assert ask("According to Zarif, who is to blame for the attack?", "Zarif") is None
    refused = ask("According to Pompeo, who funded the attack?", "Pompeo")  # he speaks, but not on that
    assert refused is not None and refused.refusal is Refusal.MISATTRIBUTED
    assert "quotes Pompeo" in refused.reason and "Mohammad Javad Zarif" in refused.reason and refused.cited[0][1] == SENTENCES[0]


def test_who_said_finds_the_sentence_holding_the_quoted_words_not_a_shorter_one_sharing_as_many():
    sentences = ["Jihadist group threatens new attacks in Iran after the attack in Ahvaz.",
                 '"This cowardly act was the work of those very individuals," Khamenei was quoted as saying.']
    excerpt = passage_of(*sentences)
    excerpt.ranked = [excerpt.sentences[1], excerpt.sentences[0]]  # as focus ranks them for the question
    from assistant.answer.checks.quoted import cite

    draft = Draft("ISIS said it [1].", [excerpt], "Who called the Ahvaz attack a cowardly act?", "2018-09-28", asked=Asked("who-said"))
    cite(draft)
    check(draft)
    assert draft.text == "Khamenei said it [1]." and draft.cited[0].quote == sentences[1]


def test_who_said_keeps_a_right_answer_when_another_sentence_is_as_close_to_the_question():
    sentences = ["Jihadist group threatens new attacks in Iran after the attack in Ahvaz.",
                 '"This cowardly act was the work of those very individuals," Khamenei was quoted as saying.']
    excerpt = passage_of(*sentences)
    excerpt.ranked = [excerpt.sentences[0], excerpt.sentences[1]]  # the headline ranked closer, two words each
    from assistant.answer.checks.quoted import cite

    draft = Draft("Khamenei called it a cowardly act [1].", [excerpt], "Who called the Ahvaz attack a cowardly act?", "2018-09-28",
                  asked=Asked("who-said"))
    cite(draft)
    check(draft)
    assert draft.text == "Khamenei called it a cowardly act [1]." and draft.corrected_by is None and draft.refused_by is None


def test_an_answer_to_a_question_about_facts_is_not_held_to_a_speaker_the_passage_does_not_name():
    from assistant.answer.checks.quoted import cite

    excerpt = passage_of("Vin Scully was the voice of the Los Angeles Dodgers for 67 seasons.", "He died at the age of 94.")
    draft = Draft("The Los Angeles Dodgers called games for Vin Scully [1].", [excerpt],
                  "Which team did Vin Scully call games for?", "2022-08-05", asked=None)
    cite(draft)
    check(draft)
    assert draft.refused_by is None and draft.corrected_by is None


def test_an_office_without_a_name_is_not_held_to_a_speaker():
    draft = run("According to Japan's minister, five of the missiles landed in Japan's exclusive economic zone [1].",
                "How many missiles landed in Japan's zone, according to Japan's minister?", None)
    assert draft.refused_by is None and draft.corrected_by is None
