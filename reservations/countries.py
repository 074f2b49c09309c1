"""Country codes and their names in the active language (from pycountry,
which ships ISO 3166 names translated by the iso-codes project), and the
one list the forms' country inputs type ahead over (``country_datalist``).

The lists are built once per language and process: they are constants of
the installed pycountry, so a per-process cache holds no state that matters.
"""

import gettext
import re
from functools import cache
from html import escape

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ALPHA3: frozenset[str] = frozenset(c.alpha_3 for c in pycountry.countries)

# The codes ICAO Doc 9303 part 3 uses beside ISO 3166-1 alpha-3 for a
# nationality or an issuing state or organisation. The one list: the model
# validator, the forms and the EMIS contract all read it.
ICAO_SPECIAL_CODES: frozenset[str] = frozenset(
    {
        "D<<",  # Germany: "D" padded with fillers to three characters
        *("GBD", "GBN", "GBO", "GBP", "GBS"),  # British nationality classes
        *("UNA", "UNK", "UNO"),  # United Nations: agency, Kosovo, organisation
        "EUE",  # European Union
        "RKS",  # Kosovo
        # International organisations.
        *("XBA", "XIM", "XCC", "XCE", "XCO", "XEC", "XES", "XMP", "XOM", "XPO"),
        # Stateless, refugee (1951 convention), other refugee, unspecified.
        *("XXA", "XXB", "XXC", "XXX"),
    }
)
COUNTRY_CODES: frozenset[str] = ALPHA3 | ICAO_SPECIAL_CODES

# Offered beside the countries for a citizenship: no state's passport.
NATIONALITY_STATUS_CHOICES = [
    ("XXA", _("Stateless person (XXA)")),
    ("XXB", _("Refugee (XXB)")),
    ("XXX", _("Unspecified nationality (XXX)")),
]

# Citizens of these states need no migration card when entering Russia
# (EAEU treaty: Belarus; the card is still issued to others at the border).
NO_MIGRATION_CARD = frozenset({"BLR"})


@cache
def _translator(lang: str):
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True
    )


def country_name(code: str | None) -> str:
    """The country's name in the active language; an unknown code as is."""
    if not code:
        return ""
    return country_name_in(code.upper(), _language())


def _language() -> str:
    return (get_language() or "ru")[:2]


# --- Type-ahead ---------------------------------------------------------------

DATALIST_ID = "country-codes"

# Names people type that the ISO list spells otherwise ("Россия", not
# "Российская Федерация"): found by the type-ahead and by the form alike.
ALIASES: dict[str, tuple[str, ...]] = {
    "RUS": ("Россия", "Russia"),
    "USA": ("США",),
    "GBR": ("Великобритания", "Англия"),
    "ARE": ("ОАЭ",),
    "BLR": ("Белоруссия",),
    "MDA": ("Молдавия",),
    "KOR": ("Южная Корея",),
    "PRK": ("КНДР",),
    "CZE": ("Чехия",),
}


def _english_names(country) -> list[str]:
    names = [country.name]
    for attr in ("common_name", "official_name"):
        name = getattr(country, attr, None)
        if name and name not in names:
            names.append(name)
    return names


def _search_label(country, lang: str) -> str:
    """What the clerk sees and types against: the name in the page's
    language, the code, other names (English, common ones) after a dot."""
    name = country_name_in(country.alpha_3, lang)
    others = [n for n in (*ALIASES.get(country.alpha_3, ()), *_english_names(country))]
    others = [n for n in dict.fromkeys(others) if n != name]
    return " · ".join([f"{name} ({country.alpha_3})", *others])


# The iso-codes Russian names that misspell a proper name (lowercase words
# of a state's name, a wrong ending or letter), as the Russian classifier of
# countries (ОКСМ) writes them. Russian capitalises every word of a state's
# short name but common nouns after the first ("Соединённые Штаты",
# "Доминиканская Республика", "Французские Южные территории").
RUSSIAN_NAMES: dict[str, str] = {
    "USA": "Соединённые Штаты",
    "UMI": "Малые Тихоокеанские отдалённые острова Соединённых Штатов",
    "CAF": "Центральноафриканская Республика",
    "DOM": "Доминиканская Республика",
    "ATF": "Французские Южные территории",
    "MNP": "Северные Марианские острова",
    "ASM": "Американское Самоа",
    "WLF": "Уоллис и Футуна",
}
_FIXED_NAMES = {"ru": RUSSIAN_NAMES}


def country_name_in(code: str, lang: str) -> str:
    fixed = _FIXED_NAMES.get(lang, {}).get(code)
    if fixed:
        return fixed
    country = pycountry.countries.get(alpha_3=code)
    return _translator(lang).gettext(country.name) if country else code


@cache
def _datalist(lang: str) -> str:
    from django.utils import translation

    with translation.override(lang):
        statuses = [(code, str(label)) for code, label in NATIONALITY_STATUS_CHOICES]
    countries = sorted(
        pycountry.countries, key=lambda c: country_name_in(c.alpha_3, lang)
    )
    options = [(c.alpha_3, _search_label(c, lang)) for c in countries] + statuses
    body = "".join(
        f'<option value="{escape(code)}">{escape(label)}</option>'
        for code, label in options
    )
    return f'<datalist id="{DATALIST_ID}">{body}</datalist>'


def country_datalist() -> str:
    """The ``<datalist>`` every country input of a page points at (by
    ``DATALIST_ID``): rendered once per page, built once per language."""
    return _datalist(_language())


@cache
def _names(lang: str) -> dict[str, str]:
    """Every name a country goes by (this language's, English, aliases),
    folded for comparison → its code."""
    found: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_3
        for name in (
            country_name_in(code, lang),
            *_english_names(country),
            *ALIASES.get(code, ()),
        ):
            found.setdefault(name.casefold(), code)
    return found


_CODE_IN_BRACKETS = re.compile(r"\(([A-Z<]{3})\)")


def code_for_text(text: str, codes: frozenset[str] | set[str]) -> str | None:
    """The code among ``codes`` that a typed text means: the code itself
    ("rus"), a label from the list ("Россия (RUS) · Russia"), a country's
    full name in the page's language or English ("Russian Federation"), or
    the beginning of exactly one such name ("Герм"). None when nothing or
    several countries match."""
    upper = text.strip().upper()
    if upper in codes:
        return upper
    bracketed = _CODE_IN_BRACKETS.search(upper)
    if bracketed and bracketed.group(1) in codes:
        return bracketed.group(1)
    folded = text.strip().casefold()
    names = _names(_language())
    if names.get(folded) in codes:
        return names[folded]
    starts = {code for name, code in names.items() if name.startswith(folded)}
    starts &= set(codes)
    return starts.pop() if len(starts) == 1 else None
