"""Names from one script to the other.

Cyrillic → Latin uses ``iuliia`` with the standard the name policy chooses
(ICAO Doc 9303, GOST R 52535.1-2006, MVD order 310), fed one title-cased
word at a time — iuliia turns "ЩУКИН" into "ShchUKIN" — and its output is
forced to ASCII letters, space, hyphen and apostrophe, because some schemas
emit a Cyrillic "ё" or typographic quotes.

Latin → Cyrillic is our own, because no library does it acceptably for
Russian names: ``transliterate`` reads letter by letter ("ИЛЫА",
"СХЦХУКИН") and ``cyrtranslit`` knows neither ICAO digraphs nor lost soft
signs ("ИЛЯ", "ШЧУКИН"). Latin is lossy (i = и/й, e = е/ё/э, ь is dropped),
so the result is a guess that the name policy flags for staff to check.
It works in three steps per word:

1. a dictionary of common given names, patronymics and surnames, keyed by
   every spelling the standards produce for them (ILIA, ILYA → Илья);
2. frequent surname and patronymic endings (-SKII/-SKIY → -ский, -OVNA);
3. a digraph table read left to right (SHCH → Щ, KH → Х, IA → Я), with
   context rules: I after a vowel and before a consonant is Й (Сергей),
   an initial E is Е in Russian-looking words and Э otherwise (Эрикссон),
   and Y follows the older standards (Й after a vowel, Ы after a consonant,
   YA → Я, YE → ЬЕ after a consonant).

Every rule that can meet ICAO output maps back to the same ICAO Latin, so
Cyrillic → ICAO → Cyrillic → ICAO is stable for words without Ы (whose Y is
read the older way); ``round_trip_exceptions()`` lists the few dictionary
words deliberately read as foreign names (MARIA → Мария, not Марья).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import iuliia

from . import lexicon, russian

DEFAULT_STANDARD = "icao_doc_9303"
_SCHEMAS = {
    "icao_doc_9303": iuliia.ICAO_DOC_9303,
    "gost_52535": iuliia.GOST_52535,
    "mvd_310": iuliia.MVD_310,
}
# Schemas whose spellings lead back to a dictionary word (Wikipedia's is the
# common informal one: Yuliya, Solovyov).
_KEY_SCHEMAS = (*_SCHEMAS.values(), iuliia.WIKIPEDIA)

_SEPARATORS = re.compile(r"(\s+|-+)")
_LATIN_WORD = re.compile(r"[A-Z'\"]+")
_CYRILLIC_CHAR = re.compile(r"[А-ЯЁа-яё]")
_APOSTROPHES = str.maketrans(
    {"’": "'", "ʼ": "'", "`": "'", "‘": "'", "«": '"', "»": '"'}
)
# Latin letters that Unicode does not split into a base letter and a mark
# (NFKD keeps "Ł" whole, so the A–Z filter below would drop it: "Łukasz" →
# "Укасз"): written as ICAO Doc 9303 Part 3 transliterates them in the MRZ,
# so a name reads the same from its printed and its machine-readable form.
_UNSPLIT_LATIN = {
    "Æ": "AE", "Ð": "D", "Đ": "D", "Ħ": "H", "Ĳ": "IJ", "Ŀ": "L", "Ł": "L",
    "Ŋ": "N", "Ø": "OE", "Œ": "OE", "Þ": "TH", "Ŧ": "T", "ẞ": "SS",
    "Ə": "A",  # Azerbaijani: its passports' MRZ write MƏMMƏDOV as MAMMADOV
}  # fmt: skip
_UNSPLIT = str.maketrans(
    {**_UNSPLIT_LATIN, **{k.lower(): v.lower() for k, v in _UNSPLIT_LATIN.items()},
     "ı": "i", "ß": "ss"}
)  # fmt: skip
# What ICAO Doc 9303 can produce from words without Ы.
_ICAO_SHAPED = re.compile(r"(?:SHCH|ZH|KH|CH|SH|TS|[ABDEFGIKLMNOPRSTUVZ])+")
_RUSSIAN_ENDING = re.compile(
    r"(?:OV|EV|IN|YN|SKII|SKIY|SKIJ|SKY|OVA|EVA|INA|YNA|SKAIA|SKAYA|AIA|AYA|"
    r"II|IY|YI|YY|OI|OY|ENKO|UK|ICH|VNA|ICHNA|YKH|IKH)$"
)
_ENDINGS = sorted(
    {
        "TSKII": "цкий", "TSKIY": "цкий", "TSKY": "цкий",
        "LSKII": "льский", "LSKIY": "льский", "LSKY": "льский",
        "LSKAIA": "льская", "LSKAYA": "льская", "IULLIN": "иуллин",
        "IULLINA": "иуллина",
        "SKII": "ский", "SKIY": "ский", "SKIJ": "ский", "SKY": "ский",
        "TSKAIA": "цкая", "TSKAYA": "цкая", "SKAIA": "ская", "SKAYA": "ская",
        "OVICH": "ович", "EVICH": "евич", "OVNA": "овна", "EVNA": "евна",
        "OVA": "ова", "EVA": "ева", "INA": "ина", "ENKO": "енко",
    }.items(),
    key=lambda item: -len(item[0]),
)  # fmt: skip
_SINGLE = dict(zip("ABVGDZKLMNOPRSTUFEIHWQ", "АБВГДЗКЛМНОПРСТУФЕИХВК", strict=True))
_DIGRAPHS = {"ZH": "Ж", "KH": "Х", "CH": "Ч", "SH": "Ш", "IU": "Ю", "IA": "Я",
             "PH": "Ф", "TH": "Т"}  # fmt: skip
_AFTER_Y = {"A": "Я", "U": "Ю", "O": "Ё"}
_CYR_VOWELS = frozenset("АЕЁИОУЫЭЮЯ")
_SIGNS = frozenset("ЬЪ")
_LATIN_VOWELS = frozenset("AEIOUY")


# --- Cyrillic → Latin -------------------------------------------------------


def to_latin(cyrillic: str, standard: str = DEFAULT_STANDARD) -> str:
    """Latin for a Cyrillic name, words capitalised ("Shchukin Ilia")."""
    schema = _SCHEMAS.get(standard, _SCHEMAS[DEFAULT_STANDARD])
    return _ascii_name(_per_word(cyrillic, lambda w: schema.translate(_capitalize(w))))


def _ascii_name(text: str) -> str:
    # A schema may leave a Cyrillic letter ("ё") or a typographic sign.
    text = "".join(
        iuliia.ICAO_DOC_9303.translate(ch) if _CYRILLIC_CHAR.match(ch) else ch
        for ch in text.translate(_APOSTROPHES).translate(_UNSPLIT)
    )
    text = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in text if ch.isascii() and (ch.isalpha() or ch in " -'"))
    return _tidy(kept)


# --- Latin → Cyrillic -------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """A Latin name read in Cyrillic, and the other spellings the lexicon
    knows for it (one word changed at a time), for staff to compare."""

    text: str
    alternatives: tuple[str, ...] = ()


def to_cyrillic(latin: str, role: str | None = None) -> str:
    """Cyrillic for a Latin name, words capitalised ("Щукин Илья"); ``role``
    is the name part ("surname", "given_names", "patronymic")."""
    return cyrillic_reading(latin, role).text


def cyrillic_reading(latin: str, role: str | None = None) -> Reading:
    """``to_cyrillic`` with the alternatives (see ``emis.names.lexicon``)."""
    text = latin.translate(_APOSTROPHES).upper().translate(_UNSPLIT)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if _latin_input_char(ch))
    parts = [p for p in _SEPARATORS.split(text.strip()) if p]
    words = [
        ((" " if p.isspace() else "-"), ()) if _SEPARATORS.fullmatch(p)
        else _word_reading(p, role)
        for p in parts
    ]  # fmt: skip
    chosen = [word for word, _alts in words]
    alternatives = [
        _cyrillic_text([*chosen[:i], alt, *chosen[i + 1 :]])
        for i, (_word, alts) in enumerate(words)
        for alt in alts
    ]
    return Reading(_cyrillic_text(chosen), tuple(dict.fromkeys(alternatives)))


def _cyrillic_text(words: list[str]) -> str:
    joined = "".join(words)
    return _tidy("".join(ch for ch in joined if _CYRILLIC_CHAR.match(ch) or ch in " -"))


def _word_reading(word: str, role: str | None) -> tuple[str, tuple[str, ...]]:
    guess = _word_to_cyrillic(word)
    if not _LATIN_WORD.fullmatch(word):  # Cyrillic letters in it: the rules alone
        return _capitalize(guess), ()
    key = word.replace("'", "").replace('"', "")
    choice = lexicon.lexicon().choose(word, guess, role, known=key in names())
    return _capitalize(choice.word), tuple(map(_capitalize, choice.alternatives))


def _latin_input_char(ch: str) -> bool:
    return (
        ("A" <= ch <= "Z")
        or ch in " -'\""
        or ch.isspace()
        or bool(_CYRILLIC_CHAR.match(ch))
    )


def _word_to_cyrillic(word: str) -> str:
    key = word.replace("'", "").replace('"', "")
    known = names().get(key)
    if known:
        return known
    first_e = "Е" if _RUSSIAN_ENDING.search(key) else "Э"
    for suffix, ending in _ENDINGS:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem.replace("'", "")) >= 2:
            return _letters(stem, first_e=first_e) + ending.upper()
    return _letters(word, first_e=first_e)


def _letters(word: str, *, first_e: str) -> str:
    out = ""
    i = 0
    while i < len(word):
        cyr, size = _token(word, i, out[-1:], first_e)
        out += cyr
        i += size
    return out


def _token(word: str, i: int, prev: str, first_e: str) -> tuple[str, int]:
    """The Cyrillic for the Latin starting at ``word[i]`` and its length."""
    rest = word[i:]
    after = word[i + 1 : i + 2]
    if rest.startswith("SHCH"):
        return "Щ", 4
    # ICAO's hard sign: IE between a consonant and Е, Ю or Я (Подъячев).
    after_consonant = bool(prev) and prev not in _CYR_VOWELS | _SIGNS
    if rest[:2] == "IE" and after_consonant and _before_hard_sign(word[i + 2 :]):
        return "Ъ", 2
    # TSH is Т + Ш: ICAO never leaves an H on its own.
    if rest[:2] in ("TS", "TC") and word[i + 2 : i + 3] != "H":
        return "Ц", 2
    if rest[:2] in _DIGRAPHS:
        return _DIGRAPHS[rest[:2]], 2
    ch = rest[0]
    if ch == "Y":
        return _y(after, prev)
    if ch == "I":
        return ("Й" if prev in _CYR_VOWELS and after not in _LATIN_VOWELS else "И"), 1
    if ch == "E":
        return (first_e if not prev else "Е"), 1
    if ch == "C":
        return ("Ц" if after in ("E", "I", "Y") else "К"), 1
    if ch in "'\"":
        sign = "Ь" if ch == "'" else "Ъ"
        return (sign if prev and prev not in _CYR_VOWELS | _SIGNS else ""), 1
    return {"X": "КС", "J": "ДЖ"}.get(ch) or _SINGLE.get(ch, ch), 1


def _before_hard_sign(rest: str) -> bool:
    """ICAO's Ъ (IE) stands before Е, Ё (E), Ю (IU) or Я (IA)."""
    return rest[:1] == "E" or rest[:2] in ("IA", "IU")


def _y(after: str, prev: str) -> tuple[str, int]:
    """Y the way the older standards and informal spellings use it."""
    if after == "E":
        # Solovyev, Vasilyevich: ЬЕ after a consonant; Yelena, Sergeyev: Е.
        consonant = prev and prev not in _CYR_VOWELS | _SIGNS
        return ("ЬЕ" if consonant else "Е"), 2
    if after in _AFTER_Y:
        return _AFTER_Y[after], 2
    if prev in _CYR_VOWELS:
        return "Й", 1  # Sergey, Maykov
    return ("Ы" if prev and prev not in _SIGNS else "И"), 1  # Krylov


# --- Dictionary ---------------------------------------------------------------


@cache
def names() -> dict[str, str]:
    """Upper-case Latin spelling → Cyrillic word. ICAO keys come first, and a
    spelling from another standard that ICAO could also produce is skipped,
    so that dictionary hits never break the ICAO round trip."""
    table: dict[str, str] = {}
    for schema in _KEY_SCHEMAS:
        for word in russian.all_words():
            key = latin_key(schema.translate(word))
            if schema is not iuliia.ICAO_DOC_9303 and icao_shaped(key):
                continue
            table.setdefault(key, word)
    for extra in (russian.EXTRA_SPELLINGS, russian.FOREIGN):
        for key, word in extra.items():
            table.setdefault(key, word)
    return table


def latin_key(latin: str) -> str:
    """A Latin spelling as the MRZ shows it: upper-case letters only."""
    return "".join(ch for ch in _ascii_name(latin).upper() if "A" <= ch <= "Z")


def icao_shaped(latin: str) -> bool:
    return bool(_ICAO_SHAPED.fullmatch(latin))


@cache
def round_trip_exceptions() -> frozenset[str]:
    """Dictionary spellings ICAO could produce that we read otherwise."""
    return frozenset(
        key
        for key, word in names().items()
        if icao_shaped(key) and latin_key(iuliia.ICAO_DOC_9303.translate(word)) != key
    )


# --- Helpers ----------------------------------------------------------------


def _per_word(text: str, convert) -> str:
    parts = _SEPARATORS.split(text.strip())
    return "".join(
        (" " if p.isspace() else "-") if _SEPARATORS.fullmatch(p) else convert(p)
        for p in parts
        if p
    )


def _capitalize(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def _tidy(text: str) -> str:
    text = re.sub(r"\s*-[\s-]*", "-", re.sub(r"\s+", " ", text))
    return text.strip(" -")
