"""Country codes and their names in the active language (from pycountry,
which ships ISO 3166 names translated by the iso-codes project)."""

import gettext
from functools import cache

import pycountry
from django.utils.translation import get_language

ALPHA3: frozenset[str] = frozenset(c.alpha_3 for c in pycountry.countries)

# Citizens of these states need no migration card when entering Russia
# (EAEU treaty: Belarus; the card is still issued to others at the border).
NO_MIGRATION_CARD = frozenset({"BLR"})


@cache
def _translator(lang: str):
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True
    )


def country_name(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_3=code.upper())
    if country is None:
        return code.upper()
    lang = (get_language() or "ru")[:2]
    return _translator(lang).gettext(country.name)


def country_choices() -> list[tuple[str, str]]:
    return sorted(
        ((c.alpha_3, f"{country_name(c.alpha_3)} ({c.alpha_3})") for c in pycountry.countries),
        key=lambda item: item[1],
    )
