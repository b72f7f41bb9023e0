import pytest


@pytest.mark.parametrize("raw,shown", [
    ("According to the passage, about 2 million swings were recalled [1].", "About 2 million swings were recalled [1]."),
    ("It was released on March 3, 2017, according to passage 3 [3].", "It was released on March 3, 2017 [3]."),
    ("Revenue was $370 million, as reported in passage 2.", "Revenue was $370 million [2]."),
    ("It was released on June 19, 2020, as stated in passage 1 and passage 2.", "It was released on June 19, 2020 [1][2]."),
    ("It came out on June 19, 2020, according to passages 1, 2 and 3.", "It came out on June 19, 2020 [1][2][3]."),
    ("It came out on June 19, 2020 (passages 1 and 2).", "It came out on June 19, 2020 [1][2]."),
    ("Tim Cook is the CEO (see passage 3).", "Tim Cook is the CEO [3]."),
    ("The bill (passage of which took years) was signed [1].", "The bill (passage of which took years) was signed [1]."),
    ("The Pixel 6 was announced on October 19, 2021, as stated in [2].", "The Pixel 6 was announced on October 19, 2021 [2]."),
    ("Biden won according to [1][3].", "Biden won [1][3]."),
    ("ISIS claimed it [1]. According to [2], others did too.", "ISIS claimed it [1]. According to [2], others did too."),
    ("ISIS, according to [2], claimed it.", "ISIS, according to [2], claimed it."),
    ("Based on the information provided in the passages, Asher Angel plays Billy Batson.", "Asher Angel plays Billy Batson."),
    ("ISIS claimed it [1]. According to passage 2, the Ahwaz group did too.", "ISIS claimed it [1]. The Ahwaz group did too."),
    ("The passage of the bill was approved [1].", "The passage of the bill was approved [1]."),
    ("Based on the passages [1], Asher Angel plays Billy Batson.", "Based on the passages [1], Asher Angel plays Billy Batson."),
    ("- According to passage 2, ISIS claimed it.\n- Answer: According to the passages, it did.", "- ISIS claimed it.\n- Answer: It did."),
    # Seen on rtqa-dev.
    ('The article [1] states that "Squid Game" is officially coming back [2].', '"Squid Game" is officially coming back [1][2].'),
    ("ISIS claimed it [1]. Passage 2 says that the Ahwaz group did too.", "ISIS claimed it [1]. The Ahwaz group did too [2]."),
    ("The article states that prices rose.", "Prices rose."),
    ("- The article [1] states that ISIS claimed it.\n- Excerpt 3 notes that iPhone sales fell.",
     "- ISIS claimed it [1].\n- iPhone sales fell [3]."),
    # Left alone: no "that", a source in the article, a treaty's article, "that" before a noun.
    ("This article mentions 24 deaths [1].", "This article mentions 24 deaths [1]."),
    ("One source says that the deal is near [1].", "One source says that the deal is near [1]."),
    ("Article 5 states that an attack on one is an attack on all [1].", "Article 5 states that an attack on one is an attack on all [1]."),
    ("The article mentions that report [1].", "The article mentions that report [1]."),
])
def test_talk_of_passages_is_taken_out_of_answers(raw, shown):
    from assistant.answer.checks.passage_talk import unmention_passages

    assert unmention_passages(raw) == shown
