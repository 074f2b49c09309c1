"""The Latin → Cyrillic evaluation set (``name_evaluation.tsv``), the
held-out set of the outside review (``name_heldout.tsv``) and their score,
shared by ``test_name_evaluation.py`` and ``bench/names_evaluation.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SET = Path(__file__).with_name("name_evaluation.tsv")
HELD_OUT = Path(__file__).with_name("name_heldout.tsv")


@dataclass(frozen=True)
class Row:
    role: str  # surname, given_names, patronymic
    spelling: str  # icao, gost, mvd310, informal
    latin: str
    cyrillic: str


@dataclass(frozen=True)
class Score:
    rows: int
    exact: int  # letter case aside
    yo_as_ye: int  # also counting Ё read as Е (Latin writes both as E)
    misses: list[tuple[Row, str]]  # (row, what came out), exact misses

    @property
    def exact_share(self) -> float:
        return self.exact / self.rows

    @property
    def yo_as_ye_share(self) -> float:
        return self.yo_as_ye / self.rows


def rows(path: Path = SET) -> list[Row]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Row(*line.split("\t")) for line in lines if line and line[0] != "#"]


def score(convert: Callable[[str, str], str], sample: list[Row] | None = None) -> Score:
    """``convert(latin, role)`` over the set (or ``sample``)."""
    sample = rows() if sample is None else sample
    exact, yo_as_ye, misses = 0, 0, []
    for row in sample:
        got = convert(row.latin, row.role)
        if got.lower() == row.cyrillic.lower():
            exact += 1
        else:
            misses.append((row, got))
        if _fold(got) == _fold(row.cyrillic):
            yo_as_ye += 1
    return Score(len(sample), exact, yo_as_ye, misses)


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")
