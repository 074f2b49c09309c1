"""docs/sandbox.md's sample passport scans in the sandbox and the PMS accepts
what it fills in; the ICAO specimen's "UTO" is named as refused, and is
(issue 12: a new user tried the suggested sample and the PMS rejected it)."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from emis_sandbox.mrz_scan import read_mrz
from reservations.validators import validate_country_code

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox.md"


def _blocks() -> list[str]:
    return re.findall(r"```\n\s*(P<.*?)\n\s*```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_suggested_passport_scans_and_the_pms_accepts_its_countries():
    (sample,) = _blocks()
    data = read_mrz("\n".join(line.strip() for line in sample.splitlines()))
    for code in (data.nationality, data.issuing_country):
        validate_country_code(code)  # raises if the PMS would refuse it
    assert data.expiry_date > "2030"  # not an expired document either


def test_the_icao_specimens_uto_is_named_and_refused():
    text = DOC.read_text(encoding="utf-8")
    assert "UTO" in text and "400 invalid_payload" in text
    with pytest.raises(ValidationError):
        validate_country_code("UTO")
