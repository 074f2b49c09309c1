"""Latin → Cyrillic names: our converter and others on the evaluation set.

    .venv/bin/python bench/names_evaluation.py
    git show main:emis/names/transliteration.py > /tmp/previous.py
    .venv/bin/python bench/names_evaluation.py --previous /tmp/previous.py

Scores on ``tests/emis/names/name_evaluation.tsv`` (names written by hand,
independently of the lexicon; see its header): exact (letter case aside)
and with Ё read as Е, by role and by spelling, for the lexicon chooser, our
rules alone, ``--previous`` (a ``transliteration.py`` of another commit, such
as the rules before the lexicon), ``transliterate`` and ``cyrtranslit`` (the
dev extras). Then every miss of the lexicon chooser, marked "ambiguous" when
the expected name is among the alternatives the chooser returned. The
figures and the misses go to ``docs/names.md``. No database is needed.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

from emis.names import transliteration  # noqa: E402
from tests.emis.names.evaluation import Row, Score, rows, score  # noqa: E402


def rules_alone(module) -> Callable[[str, str], str]:
    """Our rules without the lexicon: dictionary, endings, letters."""

    def convert(latin: str, _role: str) -> str:
        text = latin.upper()
        return "-".join(
            " ".join(
                module._capitalize(module._word_to_cyrillic(w)) for w in part.split()
            )
            for part in text.split("-")
        )

    return convert


def previous(path: str) -> Callable[[str, str], str]:
    # Named inside emis.names so that its "from . import russian" resolves.
    spec = importlib.util.spec_from_file_location("emis.names.previous_rules", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return lambda latin, _role: module.to_cyrillic(latin)


def converters(args) -> dict[str, Callable[[str, str], str]]:
    found: dict[str, Callable[[str, str], str]] = {
        "lexicon chooser": transliteration.to_cyrillic,
        "rules alone": rules_alone(transliteration),
    }
    if args.previous:
        found[f"previous ({args.previous})"] = previous(args.previous)
    try:
        from transliterate import translit

        # Both read lower case best (transliterate loses SHCH, KH in capitals).
        found["transliterate"] = lambda latin, _role: translit(latin.lower(), "ru")
    except ImportError:
        print("transliterate is not installed (pip install -e '.[dev]')")
    try:
        import cyrtranslit

        found["cyrtranslit"] = lambda latin, _role: cyrtranslit.to_cyrillic(
            latin.lower(), "ru"
        )
    except ImportError:
        print("cyrtranslit is not installed (pip install -e '.[dev]')")
    return found


def breakdown(convert, sample: list[Row]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[Row]] = {"all": sample}
    for row in sample:
        groups.setdefault(f"role {row.role}", []).append(row)
        groups.setdefault(f"spelling {row.spelling}", []).append(row)
    out = {}
    for name, group in groups.items():
        result: Score = score(convert, group)
        out[name] = {
            "rows": result.rows,
            "exact": result.exact_share,
            "yo_as_ye": result.yo_as_ye_share,
        }
    return out


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--previous", help="a transliteration.py to compare with")
    args = parser.parse_args()
    info = common.print_machine(postgresql=False)
    sample = rows()
    names = {(row.role, row.cyrillic) for row in sample}
    print(f"{len(sample)} spellings of {len(names)} names\n")
    figures = {}
    for name, convert in converters(args).items():
        figures[name] = breakdown(convert, sample)
        line = figures[name]["all"]
        print(f"{name:<28} exact {line['exact']:6.1%}   Ё as Е {line['yo_as_ye']:6.1%}")
    print("\nby role and spelling (exact):")
    keys = sorted(k for k in figures["lexicon chooser"] if k != "all")
    for key in keys:
        cells = "  ".join(f"{figures[n][key]['exact']:6.1%}" for n in figures)
        print(f"  {key:<24} ({figures['lexicon chooser'][key]['rows']:>3}) {cells}")
    print("  columns: " + ", ".join(figures))
    misses = []
    for row, got in score(transliteration.to_cyrillic, sample).misses:
        reading = transliteration.cyrillic_reading(row.latin, row.role)
        ambiguous = row.cyrillic.lower() in (a.lower() for a in reading.alternatives)
        misses.append(
            {
                "role": row.role,
                "spelling": row.spelling,
                "latin": row.latin,
                "expected": row.cyrillic,
                "got": got,
                "alternatives": list(reading.alternatives),
                "ambiguous": ambiguous,
            }
        )
    print(f"\nmisses of the lexicon chooser ({len(misses)}):")
    for miss in misses:
        mark = "ambiguous" if miss["ambiguous"] else ""
        print(
            f"  {miss['role']:<12} {miss['spelling']:<9} {miss['latin']:<22} "
            f"{miss['got']:<18} expected {miss['expected']:<18} {mark}"
        )
    path = common.save_result(
        "names_evaluation", {"machine": info, "figures": figures, "misses": misses}
    )
    print(f"\nfigures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
