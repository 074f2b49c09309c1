"""Latin → Cyrillic names chosen from a real lexicon of Russian names.

Latin loses letters: ICAO writes Гурьянов as GURIANOV, Подъячев as
PODIEIACHEV, Евдокия and Эвелина both with an E, Гавриил with the same II
as Дмитрий's ending. Our rules (``transliteration``) make one guess; this
module lists every Cyrillic spelling the standards could have written as
that Latin — a soft or hard sign or none after each consonant, Е/Ё/Э, И/Й,
Ы/Й for Y, ИЕ → ЬЕ/ЪЕ and the like (``_OPTIONS``) — keeps those that the
OpenCorpora dictionary (``pymorphy3-dicts-ru``) knows in the nominative
singular, and picks one, in this order of tiers:

1. a word the lexicon tags with the role being converted (``Surn``,
   ``Name``, ``Patr``), or the word of today's dictionary (``russian.py``);
2. another known word that may be a name in that role: for a surname any
   noun or adjective but a patronymic (Гоголь, Соболь, Толстой), for a given
   name or patronymic another proper name;
3. for a surname, one in -ов/-ев/-ин built on a known word (Пальчиков);
4. the rules' own guess.

Today's preference stays: the word of today's dictionary wins its tier
(NATALIA is Наталья, though the lexicon knows Наталия too), and so does the
rules' guess in tiers 2 and 3. Otherwise ``Lexicon._fit`` orders the tier.
The other words of the winning tier come back as ``alternatives``, for
staff to compare (docs/names.md).

Why we write the chooser ourselves: pymorphy3 analyses Cyrillic text and
has no Latin input, and the libraries that read Latin (``transliterate``,
``cyrtranslit``) give one letter for one letter and know no names (they
score 33–40 % on our evaluation set, ``docs/names.md``). The candidates
are enumerated by walking the dictionary's DAWG one letter at a time, so a
prefix no word starts with is dropped at once: ~70 µs a name on average.

The dictionary is loaded lazily, once per process (~0.2 s, ~20 MiB;
``bench/names_lexicon.py``), and only read afterwards.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import iuliia

from . import russian

ROLE_TAGS = {"surname": "Surn", "given_names": "Name", "patronymic": "Patr"}
_NAME_TAGS = frozenset(ROLE_TAGS.values())
_COMMON_POS = frozenset({"NOUN", "ADJF"})  # a surname may be any of these
_SHOWN = 4  # the choice and at most three alternatives
_GENDERS = frozenset({"masc", "femn", "ms-f"})
_SURNAME_SUFFIXES = (
    ("OVA", "ова"), ("EVA", "ева"), ("INA", "ина"), ("YNA", "ына"),
    ("OV", "ов"), ("EV", "ев"), ("IN", "ин"), ("YN", "ын"),
)  # fmt: skip
# Current passports first (ICAO, GOST R 52535.1), then older and informal.
_EXACT_SCHEMAS = (
    iuliia.ICAO_DOC_9303, iuliia.GOST_52535,
    iuliia.MVD_310, iuliia.MVD_782, iuliia.WIKIPEDIA,
)  # fmt: skip
_SEPARATOR = b"\x01"  # between a word and its payload in pymorphy's DAWG

_CONSONANTS = "бвгджзклмнпрстфхцчшщ"
_SIGNS = tuple((sign, sign.encode()) for sign in "ьъ")

# Latin chunk → the Cyrillic it may stand for, in any standard we read
# (ICAO Doc 9303, GOST R 52535.1, MVD 310, older and informal spellings).
# Longer chunks are tried as well as their parts: IA is Я, and I + A is ИА.
_OPTIONS: dict[str, tuple[str, ...]] = {
    "SHCH": ("щ",),
    "ZH": ("ж",), "KH": ("х",), "CH": ("ч",), "SH": ("ш",),
    "TS": ("ц",), "TC": ("ц",), "TH": ("т",), "PH": ("ф",),
    "IA": ("я", "ия"), "IU": ("ю",), "IE": ("ъ",),
    "YA": ("я",), "YU": ("ю",), "YE": ("е", "э"), "YO": ("ё",),
    "JU": ("ю",), "JA": ("я",),  # English spellings: Julia, Jana
    "A": ("а",), "B": ("б",), "C": ("ц", "к"), "D": ("д",),
    "E": ("е", "ё", "э"), "F": ("ф",), "G": ("г",), "H": ("х", "г"),
    "I": ("и", "й"), "J": ("й", "дж"), "K": ("к",), "L": ("л",), "M": ("м",),
    "N": ("н",), "O": ("о", "ё"), "P": ("п",), "Q": ("к",), "R": ("р",),
    "S": ("с",), "T": ("т",), "U": ("у",), "V": ("в",), "W": ("в",),
    "X": ("кс",), "Y": ("ы", "й"), "Z": ("з",),
    "'": ("ь",), '"': ("ъ",),
}  # fmt: skip
_LONGEST = max(map(len, _OPTIONS))
# Only at the end of a word: older spellings write -ИЙ/-ЫЙ as one Y (Ilyinsky).
_FINAL_Y = ("ий", "ый")
# Only before a vowel: informal spellings write Ь and Ъ as I or Y (Zinoviev,
# Ilyin), but none writes ЬЯ as IIA.
_SIGN_AS_I = ("ь", "ъ")
_BEFORE_SIGN = {"I": "AEOU", "Y": "AEIOU"}  # Ilyin is Ильин


@dataclass(frozen=True)
class Choice:
    word: str  # lower case
    alternatives: tuple[str, ...] = field(default_factory=tuple)  # lower case


class Lexicon:
    """The OpenCorpora dictionary as pymorphy3 ships it, read only."""

    def __init__(self) -> None:
        import pymorphy3_dicts_ru
        from pymorphy3.opencorpora_dict.wrapper import Dictionary

        dictionary = Dictionary(pymorphy3_dicts_ru.get_path())
        self._words = dictionary.words
        self._follow = dictionary.words.dct.follow_bytes
        self._tag = dictionary.build_tag_info

    def candidates(self, latin: str) -> list[str]:
        """Every word of the lexicon the standards could spell as ``latin``
        (upper-case letters and apostrophes)."""
        found: list[str] = []
        readings = [_readings(latin, pos) for pos in range(len(latin))]
        self._walk(readings, 0, "", 0, found)
        return list(dict.fromkeys(found))

    def _walk(self, readings, pos: int, word: str, index: int, found: list) -> None:
        if pos == len(readings):
            if word and self._follow(_SEPARATOR, index) is not None:
                found.append(word)
            return
        for size, cyrillic, encoded in readings[pos]:
            after = self._follow(encoded, index)
            if after is None:
                continue
            self._walk(readings, pos + size, word + cyrillic, after, found)
            if cyrillic[-1] in _CONSONANTS:
                for sign, encoded_sign in _SIGNS:
                    signed = self._follow(encoded_sign, after)
                    if signed is not None:
                        self._walk(readings, pos + size, word + cyrillic + sign, signed, found)  # fmt: skip

    def tier(self, word: str, role: str | None) -> tuple[int, bool]:
        """(1: known in ``role``, 2: another known word that may be a name
        in that role, 3: neither; whether only as a variant form), counting
        only the nominative singular."""
        wanted = {ROLE_TAGS[role]} if role in ROLE_TAGS else _NAME_TAGS
        best = (3, True)
        for para_id, idx in self._words.get(word) or ():
            grammemes = self._tag(para_id, idx).grammemes
            if "nomn" not in grammemes or "plur" in grammemes:
                continue
            variant = "Infr" in grammemes or any(g.startswith("V-") for g in grammemes)
            if grammemes & wanted:
                best = min(best, (1, variant))
            elif role == "surname":
                if grammemes & _COMMON_POS and "Patr" not in grammemes:
                    best = min(best, (2, variant))
            elif grammemes & _NAME_TAGS:
                best = min(best, (2, variant))
        return best

    def derived_surnames(self, latin: str) -> list[str]:
        """Surnames in -ов/-ев/-ин on a word the lexicon knows, for a surname
        it does not: Пальчиков on пальчик, Объедков on объедка (объедок)."""
        for suffix, ending in _SURNAME_SUFFIXES:  # noqa: B007 (used after the loop)
            stem = latin[: -len(suffix)]
            if latin.endswith(suffix) and len(stem) >= 3:
                break
        else:
            return []
        found = [w + ending for w in self.candidates(stem) if self._noun(w)]
        found += [
            w[:-1] + ending
            for w in self.candidates(stem + "A")
            if w.endswith("а") and self._noun(w)
        ]
        found = [w for w in dict.fromkeys(found) if w[-len(ending) - 1] not in "ьъй"]
        if ending[0] == "е":
            # ICAO's -EV after a consonant on a given name in -ий drops the
            # sign: Пафнутьев on Пафнутий, Аксентьев on Аксентий.
            found += [
                w[:-2] + "ь" + ending
                for w in self.candidates(stem + "II")
                if w.endswith("ий") and w[-3] in _CONSONANTS and self._given(w)
            ]
        return found

    def _given(self, word: str) -> bool:
        return any(
            "Name" in self._tag(para_id, idx).grammemes
            for para_id, idx in self._words.get(word) or ()
        )

    def _fixed_only(self, word: str) -> bool:
        """Only indeclinable forms (``Fixd``): Викториа, Валериа, which the
        lexicon lists beside the Виктория a Russian name is."""
        tags = [self._tag(p, i).grammemes for p, i in self._words.get(word) or ()]
        return bool(tags) and all("Fixd" in g for g in tags)

    def _noun(self, word: str) -> bool:
        return any(
            self._tag(para_id, idx).POS == "NOUN"
            for para_id, idx in self._words.get(word) or ()
        )

    def choose(self, latin: str, guess: str, role: str | None, known: bool) -> Choice:
        """The word for ``latin`` (one word, upper case) in ``role``;
        ``guess`` is the rules' reading, ``known`` whether it came from
        today's dictionary."""
        guess = guess.lower()
        letters = latin.replace("'", "").replace('"', "")
        tiers: dict[str, tuple[int, bool]] = {guess: (1, False)} if known else {}
        for word in self.candidates(latin):
            if word not in tiers:
                tiers[word] = self.tier(word, role)
        top = min((tier for tier, _variant in tiers.values()), default=3)
        best = [word for word, (tier, _v) in tiers.items() if tier == top]
        if top == 3 and role == "surname":
            guess = _soft_ian(guess)
        if top == 3:
            best = self.derived_surnames(latin) if role == "surname" else []
            tiers.update((word, (3, False)) for word in best)
        if not best:
            return Choice(guess)
        ranked = best
        if len(best) > 1:
            ranked = sorted(
                best, key=lambda w: self._fit(w, letters, guess, tiers, best, role)
            )
        if known or (top > 1 and guess in best):
            # Today's dictionary, or a word the rules read already, stays.
            ranked = [guess] + [w for w in ranked if w != guess]
        return Choice(ranked[0], tuple(ranked[1:_SHOWN]))

    def _fit(
        self,
        word: str,
        latin: str,
        guess: str,
        tiers: dict,
        best: list,
        role: str | None,
    ) -> tuple:
        """Which of several known words fits ``latin`` best (smallest first):
        declinable (Виктория, not the indeclinable Викториа); a word of
        today's dictionary (Анастасия, though ANASTASIA is ICAO's Анастасья:
        informal Latin writes ИЯ as IA); not the informal -иевич/-иевна of a
        -ьевич/-ьевна (Юрьевна, Анатольевич); for a surname, not -ьян beside
        -ян (Armenian Григорян takes no sign); spelt exactly so by a current passport standard, then by an older
        one; not a variant form by the lexicon's own marks (V-ie, Infr); not
        the sign-less twin of another candidate of the same gender (the sign
        is what Latin drops: Прасковья over Прасковя, but Мартин, a man, is
        no twin of Мартинь, a woman); fewest edits from the rules' guess;
        the alphabet, so the order of the walk never decides."""
        exact = [spelling == latin for spelling in _spellings(word)]
        twin = any(
            _unsigned(other) == word and self._genders(other) & self._genders(word)
            for other in best
            if other != word
        )
        informal_ie = _informal_ie(word) and word.replace("иев", "ьев") in best
        armenian = (
            role == "surname" and word.endswith("ьян") and word[:-3] + "ян" in best
        )
        return (
            self._fixed_only(word),
            word not in _dictionary(),
            informal_ie,
            armenian,
            not any(exact[:2]),
            not any(exact),
            tiers[word][1],
            twin,
            _edits(word, guess),
            word,
        )

    def _genders(self, word: str) -> set[str]:
        return {
            g
            for para_id, idx in self._words.get(word) or ()
            for g in self._tag(para_id, idx).grammemes & _GENDERS
        }


_SOFT_IAN = re.compile(f"(?<=[{_CONSONANTS}])ян(?=[а-яё])(?!ц)")


def _soft_ian(word: str) -> str:
    """A surname the lexicon does not know, with -ян- inside it after a
    consonant: Russian ones are built on Лукьян, Кирьян, Марьян, Емельян
    (Кирьянов, Лукьянчиков), and ICAO drops the sign; Armenian -ян and -янц
    end the word and take none (Григорян)."""
    return _SOFT_IAN.sub("ьян", word)


def _informal_ie(word: str) -> bool:
    """-иев- where Russian writes -ьев- (Юрий → Юрьевна, Василий →
    Васильевич, Лаврентий → Лаврентьевич): all but after a consonant and Р,
    where it is -иев- (Дмитриевич, Онуфриевич)."""
    at = word.find("иев")
    if at < 2 or word[at - 1] not in _CONSONANTS:
        return False
    return not (word[at - 1] == "р" and word[at - 2] in _CONSONANTS)


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """Today's dictionary (``russian.py``), lower case."""
    return frozenset(word.lower() for word in russian.all_words())


def _unsigned(word: str) -> str:
    return word.replace("ь", "").replace("ъ", "")


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (names are short)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


@lru_cache(maxsize=8192)
def _spellings(word: str) -> tuple[str, ...]:
    """``word`` in each of ``_EXACT_SCHEMAS``, upper-case letters only."""
    return tuple(
        "".join(ch for ch in schema.translate(word).upper() if "A" <= ch <= "Z")
        for schema in _EXACT_SCHEMAS
    )


def _readings(latin: str, pos: int) -> list[tuple[int, str, bytes]]:
    """(Latin letters read, Cyrillic, its UTF-8) for the Latin at ``pos``."""
    out: list[tuple[int, str]] = []
    for size in range(min(_LONGEST, len(latin) - pos), 0, -1):
        chunk = latin[pos : pos + size]
        for cyrillic in _OPTIONS.get(chunk, ()):
            out.append((size, cyrillic))
    ch = latin[pos]
    end = pos + 1 == len(latin)
    if ch == "Y" and end:
        out += [(1, c) for c in _FINAL_Y]
    if pos and not end and latin[pos + 1] in _BEFORE_SIGN.get(ch, ""):
        out += [(1, c) for c in _SIGN_AS_I]
    return [(size, cyrillic, cyrillic.encode()) for size, cyrillic in out]


_lock = threading.Lock()
_lexicon: Lexicon | None = None


def lexicon() -> Lexicon:
    """The process's lexicon, loaded on first use."""
    global _lexicon
    if _lexicon is None:
        with _lock:
            if _lexicon is None:
                _lexicon = Lexicon()
    return _lexicon
