"""Read an ICAO MRZ (TD1 3x30 or TD3 2x44) with check digits verified by ``mrz``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mrz.checker.td1 import TD1CodeChecker
from mrz.checker.td3 import TD3CodeChecker

# Which check digit each ``mrz`` report entry stands for, and where it sits,
# in the operator's language (the page is Russian, as EMIS Service is).
CHECK_DIGITS = {
    "TD3": {
        "document number hash": "контрольная цифра номера документа (строка 2, позиция 10)",
        "birth date hash": "контрольная цифра даты рождения (строка 2, позиция 20)",
        "expiry date hash": "контрольная цифра срока действия (строка 2, позиция 28)",
        "optional data hash": "контрольная цифра личного номера (строка 2, позиция 43)",
        "final hash": "итоговая контрольная цифра (строка 2, позиция 44)",
    },
    "TD1": {
        "document number hash": "контрольная цифра номера документа (строка 1, позиция 15)",
        "birth date hash": "контрольная цифра даты рождения (строка 2, позиция 7)",
        "expiry date hash": "контрольная цифра срока действия (строка 2, позиция 15)",
        "final hash": "итоговая контрольная цифра (строка 2, позиция 30)",
    },
}
# ICAO codes that are not ISO 3166-1 alpha-3.
COUNTRY_FIXUPS = {"D": "DEU"}


class MrzError(ValueError):
    pass


@dataclass(frozen=True)
class MrzData:
    format: str
    surname: str
    given_names: str
    sex: str | None
    birth_date: str | None
    nationality: str
    document_number: str
    expiry_date: str | None
    issuing_country: str

    @property
    def document_kind(self) -> str:
        if self.format == "TD1":
            return "id_card"
        return (
            "foreign_passport_rf"
            if self.issuing_country == "RUS"
            else ("national_passport")
        )


def _lines(text: str) -> list[str]:
    # Operators paste with stray spaces or lower case; the MRZ alphabet has neither.
    return ["".join(line.split()).upper() for line in text.splitlines() if line.strip()]


def _country(code: str) -> str:
    code = code.replace("<", "")
    return COUNTRY_FIXUPS.get(code, code)


def _date(yymmdd: str, *, future: bool) -> str | None:
    try:
        yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    except ValueError:
        return None
    this_year = date.today().year
    year = 2000 + yy
    # Birth dates are in the past; expiry dates are in this century.
    if not future and year > this_year:
        year -= 100
    try:
        return date(year, mm, dd).isoformat()
    except ValueError:
        return None


def _checker(lines: list[str]) -> tuple[str, TD1CodeChecker | TD3CodeChecker]:
    shape = [len(line) for line in lines]
    try:
        if shape == [44, 44]:
            return "TD3", TD3CodeChecker("\n".join(lines))
        if shape == [30, 30, 30]:
            return "TD1", TD1CodeChecker("\n".join(lines))
    except Exception as exc:  # noqa: BLE001 - mrz raises its own error family
        # Its message is English and quotes the MRZ back; what it refuses is
        # a character outside the MRZ alphabet.
        raise MrzError(
            "Не удалось прочитать MRZ: недопустимые символы "
            "(допустимы латинские буквы A–Z, цифры и «<»)"
        ) from exc
    raise MrzError(
        "MRZ должна состоять из 2 строк по 44 символа (TD3, паспорт) или из "
        f"3 строк по 30 символов (TD1, ID-карта); получено строк: {len(lines)}, "
        "символов в строках: " + ", ".join(str(n) for n in shape or [0])
    )


def read_mrz(text: str) -> MrzData:
    fmt, checker = _checker(_lines(text))
    if not checker:
        failed = [name for name, ok in checker.report.fields if ok is False]
        # The composite digit fails with any other one: name it last.
        failed.sort(key=lambda name: name == "final hash")
        problems = [CHECK_DIGITS[fmt].get(name, name) for name in failed]
        raise MrzError("MRZ не прошла проверку: неверна " + "; неверна ".join(problems))
    f = checker.fields()
    return MrzData(
        format=fmt,
        surname=f.surname,
        given_names=f.name,
        sex=f.sex if f.sex in ("M", "F") else None,
        birth_date=_date(f.birth_date, future=False),
        nationality=_country(f.nationality),
        document_number=f.document_number.replace("<", ""),
        expiry_date=_date(f.expiry_date, future=True),
        issuing_country=_country(f.country),
    )
