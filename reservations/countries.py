"""Country codes and their names in the active language (from pycountry,
which ships ISO 3166 names translated by the iso-codes project)."""

import gettext
from functools import cache

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
