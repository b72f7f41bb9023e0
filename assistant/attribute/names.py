"""Speakers' names: one person under several names (Ayatollah Ali Khamenei, Khamenei, Iran's
Supreme Leader) is one speaker, and a name in a question or answer is matched to them."""

from __future__ import annotations

import re
import unicodedata

from ..types import Speaker

# Words that describe a speaker's office or standing rather than name them.
TITLES = frozenset("""
    mr mrs ms miss dr prof sir dame lord lady rev gen general col colonel lt maj major capt captain sgt adm admiral
    gov governor sen senator rep representative president vice prime minister secretary chancellor premier king queen
    prince princess sheikh ayatollah imam pope cardinal bishop judge justice attorney mayor speaker chief chair chairman
    chairwoman director ceo founder spokesman spokeswoman spokesperson commissioner ambassador deputy minister's
    supreme leader foreign defense defence state interior finance health house senate former acting state's us u.s
    official officials officer the of and for in at to a an his her their its
    """.split())
# Endings dropped from a surname: possessives, and suffixes that are not the name.
_SUFFIXES = re.compile(r"(?:['’]s|['’])$")
_GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv"})


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return [_SUFFIXES.sub("", w) for w in re.findall(r"[\w'’.-]+", fold(text)) if w.strip(".-")]


def name_words(text: str) -> list[str]:
    """The words of a name without titles and possessive framing: "Iran's Supreme Leader,
    Ayatollah Ali Khamenei" -> ali, khamenei; "Texas Gov. Greg Abbott" -> texas, greg, abbott."""
    out = []
    for word in words(text):
        bare = word.strip(".")
        if bare and bare not in TITLES and bare not in _GENERATIONAL:
            out.append(bare)
    return out


def vague(name: str) -> bool:
    """Whether a name picks out no one: "minister", "House" (an office or body without a name)."""
    return not name_words(name) or not any(w[:1].isupper() for w in name.split())


def surname(text: str) -> str:
    """The last word of a person's name, lower-cased: what a later mention keeps."""
    found = name_words(text)
    return found[-1] if found else fold(text).strip()


def key(name: str, kind: str) -> str:
    """What two mentions of one speaker share: a person's surname, an organisation's
    whole name without "the"."""
    if kind == "PERSON":
        return surname(name)
    return " ".join(w for w in words(name) if w != "the") or fold(name)


def mentions(asked: str, name: str, aliases: tuple[str, ...] = ()) -> bool:
    """Whether `asked` (a name as a question or answer writes it, possibly with its title)
    names the speaker known as `name` (or one of `aliases`): its surname for a person, or
    all the words of a shorter form."""
    asked_words = set(name_words(asked))
    if not asked_words:
        return False
    for form in (name, *aliases):
        form_words = name_words(form)
        if not form_words:
            continue
        if form_words[-1] in asked_words:  # a surname, or an organisation's last word
            return True
        if set(form_words) <= asked_words or asked_words <= set(form_words):
            return True
    return False


def matches(asked: str, asked_kind: str, speaker: Speaker) -> bool:
    """Whether a speaker named in a question or answer (`asked`, of entity kind
    `asked_kind`) is this sentence's speaker: a person by surname; an organisation or group
    when one name holds all the words of the other; either by a title the article gives
    the speaker ("Iran's Supreme Leader")."""
    if asked_kind == "PERSON" or speaker.kind == "PERSON":
        wanted = surname(asked)
        if wanted and any(surname(form) == wanted for form in (speaker.name, *speaker.aliases)):
            return True
    else:
        asked_words = set(name_words(asked))
        for form in (speaker.name, *speaker.aliases):
            form_words = set(name_words(form))
            if asked_words and form_words and (form_words <= asked_words or asked_words <= form_words):
                return True
    said = {w.strip(".") for w in words(asked)} - {"the", "a", "an", "of"}
    # "Iran's Supreme Leader" is named by that title, and by "the Supreme Leader" too.
    return any(len(t) >= 2 and (t <= said or (len(said) >= 2 and said <= t))
               for t in ({w.strip(".") for w in words(title)} - {"the", "a", "an", "of"} for title in speaker.titles))
