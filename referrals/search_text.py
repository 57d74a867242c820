"""The normalised text a body is searched by: every name it is known by, lower case, without
accents or punctuation, so that "impots" finds "impôts" and "cpas d ixelles" finds
"CPAS d'Ixelles". Used when a body is saved, by the registry loader (with the historical model
of a migration too) and by the search, so all three read the same form.
"""

import re
import unicodedata

TERM_SEPARATOR = " | "
_WORD = re.compile(r"[a-z0-9]+")
# Letters NFKD leaves whole: the search would otherwise drop them.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})


def normalise(text: str | None) -> str:
    """ "Öffentliches Sozialhilfezentrum (ÖSHZ)" -> "offentliches sozialhilfezentrum oshz"."""
    folded = unicodedata.normalize("NFKD", (text or "").casefold().translate(_LIGATURES))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain))


def words(text: str | None) -> list[str]:
    return normalise(text).split()


def search_text(*, names, postcodes=()) -> str:
    """The terms of a body, each normalised, once, in order: names first, postcodes last."""
    terms = []
    for value in (*names, *postcodes):
        term = normalise(value)
        if term and term not in terms:
            terms.append(term)
    return TERM_SEPARATOR.join(terms)


def terms(text: str) -> list[str]:
    return text.split(TERM_SEPARATOR) if text else []
