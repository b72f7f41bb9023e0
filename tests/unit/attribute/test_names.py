from assistant.attribute.names import matches, name_words, surname
from assistant.types import Speaker

KHAMENEI = Speaker("Ayatollah Ali Khamenei", "PERSON", ("Khamenei",), ("Iran's Supreme Leader",))


def test_titles_and_possessives_are_not_names():
    assert name_words("Iran's Supreme Leader, Ayatollah Ali Khamenei") == ["iran", "ali", "khamenei"]
    assert surname("Texas Gov. Greg Abbott") == "abbott"


def test_a_person_by_surname_or_by_a_title_the_article_gives_them():
    assert matches("Khamenei", "PERSON", KHAMENEI)
    assert matches("Iran's Supreme Leader", "ORG", KHAMENEI)
    assert not matches("Pompeo", "PERSON", KHAMENEI)
    assert not matches("Iran", "GPE", KHAMENEI)


def test_an_organisation_by_all_the_words_of_one_of_its_names():
    isis = Speaker("Islamic State", "ORG", ("ISIS",))
    assert matches("ISIS", "ORG", isis) and matches("the Islamic State group", "ORG", isis)
    assert not matches("Iran", "GPE", isis)


def test_a_title_shorter_than_the_articles_names_the_speaker():
    from assistant.attribute.names import matches
    from assistant.types import Speaker

    khamenei = Speaker("Ayatollah Ali Khamenei", "PERSON", ("Khamenei",), ("Iran's Supreme Leader",))
    assert matches("Supreme Leader", "GROUP", khamenei)  # "What did the Supreme Leader say?"
    assert matches("Iran's Supreme Leader", "GROUP", khamenei)
    assert not matches("Leader", "GROUP", khamenei)  # one word is too little to go by
    assert not matches("Iraq's Supreme Leader", "GROUP", khamenei)
