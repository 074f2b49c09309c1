"""Every catalog is complete: no untranslated and no fuzzy entry, so the
Russian UI never shows an English string by accident."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted(
    p for p in ROOT.glob("**/locale/ru/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def _entries(po: Path, flag: str) -> list[str]:
    out = subprocess.run(
        ["msgattrib", flag, "--no-obsolete", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line.startswith('msgid "') and line != 'msgid ""']


def test_there_are_catalogs():
    names = {p.parts[len(ROOT.parts)] for p in CATALOGS}
    assert {"pms", "reservations", "legal_entities", "integrations", "emis"} <= names


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalog_is_complete(po):
    assert _entries(po, "--untranslated") == []
    assert _entries(po, "--only-fuzzy") == []


def test_product_labels_in_russian(front_desk_client):
    from django.utils import translation

    with translation.override("ru"):
        assert translation.gettext("Upload new documents") == "Загрузить новые документы"
        assert translation.gettext("Get document data") == "Получить данные документов"
        assert translation.pgettext("legal entity select", "choose") == "выбрать"
