"""The speaker finder on real sentences, with the real spaCy model."""

from conftest import SEEDS

from assistant.attribute.speakers import speakers
from assistant.text.sentences import split_sentences


def who(*sentences: str) -> list[str | None]:
    return [s.name if s else None for s in speakers(list(sentences))]


def test_direct_quotes_and_said_either_side():
    assert who('"We will rebuild," the mayor of Springfield, Joe Quimby, said on Monday.') == ["Joe Quimby"]
    assert who("“Prices will fall by June,” said Tom Kloza, an analyst at OPIS.") == ["Tom Kloza"]


def test_reported_speech_and_speech_verbs():
    assert who("Iranian President Hassan Rouhani on Sunday accused the US and the Gulf states of responsibility.") == ["Hassan Rouhani"]
    assert who("Similarly, Iranian Foreign Minister Mohammad Javad Zarif blamed the attack on regional terror sponsors.") == [
        "Mohammad Javad Zarif"]
    # A passive subject is who is spoken about, not who speaks.
    assert who("Dylan Merola, 20, is being praised by family and neighbors for his bravery.") == [None]


def test_according_to_names_the_source_not_what_it_is_attached_to():
    assert who("The city vaccinated 246 close contacts, according to Anil Mangla, the state epidemiologist.") == ["Anil Mangla"]
    assert who("He will receive $155,000, according to a separation agreement provided to the Free Press.") == [None]


def test_he_said_is_the_last_person_named():
    assert who("Finnish President Sauli Niinistö told CNN the talks went well.", "He said more would follow.") == [
        "Sauli Niinistö", "Sauli Niinistö"]


def test_a_quotation_that_runs_on_is_its_speakers_to_the_end():
    found = who('"The reality is, it is moving so quickly.', "People have to leave with the shirts on their backs.",
                'We need to be ready," Heggie said.', "The fire grew overnight.")
    assert found == ["Heggie", "Heggie", "Heggie", None]


def test_a_quotation_only_sentence_after_a_speaker_is_theirs():
    assert who('"This is an enormous mistake," Pompeo said.', '"And the loss of innocent life is tragic."') == ["Pompeo", "Pompeo"]


def test_a_transcripts_turns():
    found = who("BLITZER: Senator, what do you say?", "SANDERS: I say no.", "It would be a disaster.", "BLITZER: Thank you.")
    assert found == ["Blitzer", "Sanders", "Sanders", "Blitzer"]


def test_the_seed_article():
    text = (SEEDS / "000_d07ae83fdbaebff6.txt").read_text(encoding="utf-8")
    sentences = [text[a:b] for a, b in split_sentences(text)]
    found = dict(zip(sentences, speakers(sentences)))

    def speaker_of(words: str) -> tuple[str, tuple[str, ...]]:
        speaker = next(s for sentence, s in found.items() if words in sentence)
        assert speaker is not None, words
        return speaker.name, speaker.aliases

    # "the group said" is the Islamic State (ISIS), named in the subject two sentences before.
    assert speaker_of("flimsier than a spider") == ("Islamic State", ("ISIS",))
    assert speaker_of("fearful shock")[0] == "Abu Hassan al-Muhajir"
    assert speaker_of("cowardly act") == ("Ayatollah Ali Khamenei", ("Khamenei",))
    assert speaker_of("from the Gulf states")[0] == "Hassan Rouhani"
    assert speaker_of("terror sponsors")[0] == "Mohammad Javad Zarif"
    assert speaker_of("enormous mistake")[0] == speaker_of("keeping his own people secure")[0] == "Mike Pompeo"
    assert found[next(s for s in sentences if s.startswith("The attack targeted"))] is None  # narration


def test_according_to_a_title_names_the_person_in_apposition():
    from assistant.attribute.parse import read_sentence
    from assistant.providers.nlp import parser

    sentence = ("According to Afghanistan's Deputy Minister of State for Disaster Management, Mawlawi Sharafuddin Muslim, "
                "the Islamic Emirate would pay 100,000 AFN [1].")
    mention = read_sentence(parser()(sentence), quoted_first=False)
    assert (mention.name, mention.kind) == ("Mawlawi Sharafuddin Muslim", "PERSON")


def test_a_quotation_does_not_run_on_across_a_part_left_out():
    # An excerpt of two passages: the sentence that closes the quotation ('70% is
    # mismanagement," said Murtaza Jafferjee') is in the part not retrieved.
    texts = ['"30% is misfortune.', "The United Nations opened an investigation last year.",
             'Rajapaksa appointed his brother, "as expected", said the UN.']
    assert [s.name if s else None for s in speakers(texts)][0] == "UN"  # read as one run, the UN's words
    assert [s.name if s else None for s in speakers(texts, gaps=frozenset({1}))][0] is None
