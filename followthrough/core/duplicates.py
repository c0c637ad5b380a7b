"""When two names are probably the same person (DESIGN C1 duplicate detection).

Names are compared as keys: lower case, accents and punctuation dropped, and "Smith, John"
turned around to "john smith". Two keys are alike when they have the same words in any order,
or the same last name and first names that are one typing slip apart, or the same first name
and last names one slip apart. A slip is one letter added or dropped, two neighbours swapped,
or, for last names, one letter changed; a first name may also be shortened ("Chris" /
"Christine", "J." / "John").

A plain similarity ratio was tried first and rejected: "Jana Salazar" / "Lana Salazar" (0.92,
two sisters in one household) scores higher than "Jon Smith" / "John Smith" (0.95) barely, so
no threshold tells a typo from a relative. Changing the first letter of a first name is what
tells them apart, and the rules above never allow it.
"""

import unicodedata


def name_key(first: str, last: str) -> str:
    """A comparable form of a name: "Smith, John" and "john  SMITH" give "john smith"."""
    full = f"{first} {last}".strip()
    if "," in full:
        before, _, after = full.partition(",")
        full = f"{after} {before}"
    plain = unicodedata.normalize("NFKD", full.lower())
    letters = "".join(c if c.isalnum() else " " for c in plain if not unicodedata.combining(c))
    return " ".join(letters.split())


def _one_slip(a: str, b: str, *, substitution: bool) -> bool:
    """True when `b` is `a` with one letter added or dropped, two neighbours swapped, or (when
    `substitution`) one letter changed."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) == 1:
        return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) == 1:
        return substitution
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and (a[diff[1]] == b[diff[0]])
    )


def _first_names_alike(a: str, b: str) -> bool:
    if a == b or a.startswith(b) or b.startswith(a):
        return True
    return a[:1] == b[:1] and _one_slip(a, b, substitution=False)


def names_alike(a: str, b: str) -> bool:
    """True when two name keys probably name the same person."""
    words_a, words_b = a.split(), b.split()
    if not words_a or not words_b:
        return False
    if sorted(words_a) == sorted(words_b):
        return True
    if len(words_a) < 2 or len(words_b) < 2:
        return False
    (first_a, last_a), (first_b, last_b) = (words_a[0], words_a[-1]), (words_b[0], words_b[-1])
    if last_a == last_b:
        return _first_names_alike(first_a, first_b)
    if first_a == first_b and min(len(last_a), len(last_b)) >= 4:
        return _one_slip(last_a, last_b, substitution=True)
    return False


def blocks(key: str) -> tuple[str, ...]:
    """The groups a name is compared within: alike names always share one (the same last name,
    the same first name, or the same words), so only names in a shared group are compared."""
    words = key.split()
    if not words:
        return ()
    return (f"last:{words[-1]}", f"first:{words[0]}", "words:" + " ".join(sorted(words)))
