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
