"""Latin → Cyrillic with the name lexicon: time per name, and memory.

    .venv/bin/python bench/names_lexicon.py [--names 10000] [--repeat 3]

One process, as a web or Celery worker would be: the process's resident
memory (VmRSS) after importing the converter, then the first conversion
(which loads the OpenCorpora dictionary: its time and the memory after
it), then ``--repeat`` passes over ``--names`` distinct (role, Latin)
names, each conversion timed on its own (wall, ``perf_counter_ns``) and
each pass's CPU time per name (``time.process_time``, less sensitive to
other work on the machine). The same names through the rules alone (no
lexicon) give the cost of the lexicon.

The names, fixed for a given ``--names``: the evaluation set
(``tests/emis/names/name_evaluation.tsv``), the words of
``emis/names/russian.py`` in the spellings of four standards, surnames and
patronymics made from those given names (known to the lexicon or not),
foreign names, and seeded pseudo-names of Latin syllables, which the
lexicon does not know (the walk gives up early or late on them). No
database is needed.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import iuliia  # noqa: E402

from emis.names import russian, transliteration  # noqa: E402
from tests.emis.names.evaluation import rows  # noqa: E402

_SCHEMAS = (iuliia.ICAO_DOC_9303, iuliia.GOST_52535, iuliia.MVD_310, iuliia.WIKIPEDIA)
_FOREIGN_TEXT = """SMITH JOHNSON WILLIAMS BROWN MILLER WILSON TAYLOR MULLER SCHMIDT
SCHNEIDER FISCHER WEBER MEYER WAGNER BECKER HOFFMANN ROSSI RUSSO FERRARI
BIANCHI GARCIA MARTINEZ LOPEZ GONZALEZ DUPONT BERNARD MOREAU LAURENT NOVAK
HORVAT NAGY KOVACS YILMAZ KAYA DEMIR TANAKA SUZUKI NGUYEN ERIKSSON HANSEN
JOHN MICHAEL DAVID JAMES ROBERT MARIA ANNA LAURA SOPHIE EMMA LUCA MARCO
PIERRE JEAN HANS KLAUS PETER THOMAS MARTIN ERIK LARS SVEN OLGA ELENA"""
_SYLLABLES_TEXT = "ka lo mi ra sen tu vo zh an ber gri shch ol ev in ia iu kh ts ye"
_FOREIGN, _SYLLABLES = _FOREIGN_TEXT.split(), _SYLLABLES_TEXT.split()


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def latin(schema, cyrillic: str) -> str:
    text = schema.translate(cyrillic).upper()
    return "".join(ch for ch in text if "A" <= ch <= "Z" or ch in " -")


def names(count: int) -> list[tuple[str, str]]:
    """``count`` distinct (role, Latin) pairs, always the same ones."""
    found: dict[tuple[str, str], None] = {}
    for row in rows():
        found[(row.role, row.latin)] = None
    given = russian.words(russian.MALE_GIVEN) + russian.words(russian.FEMALE_GIVEN)
    given += [r.cyrillic for r in rows() if r.role == "given_names"]
    made = [
        *(("given_names", g) for g in given),
        *(("patronymic", p) for p in russian.words(russian.MALE_PATRONYMIC)),
        *(("surname", s) for s in russian.words(russian.SURNAMES)),
        *(("surname", g + end) for g in given for end in ("ов", "ин", "ский")),
        *(("patronymic", g + end) for g in given for end in ("ович", "овна")),
    ]
    for role, cyrillic in made:
        for schema in _SCHEMAS:
            found[(role, latin(schema, cyrillic))] = None
    for word in _FOREIGN:
        for role in ("surname", "given_names"):
            found[(role, word)] = None
    rng = random.Random(13)
    roles = ("surname", "given_names", "patronymic")
    while len(found) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        found[(rng.choice(roles), word.upper())] = None
    sample = list(found)
    rng.shuffle(sample)
    return sample[:count]


def rules_alone(latin_name: str, _role: str) -> str:
    return " ".join(
        transliteration._word_to_cyrillic(word) for word in latin_name.split()
    )


def one_pass(convert, sample) -> tuple[list[float], float]:
    """Wall µs of each conversion, and CPU µs per conversion."""
    gc.collect()
    timings = []
    cpu = time.process_time()
    for role, latin_name in sample:
        start = time.perf_counter_ns()
        convert(latin_name, role)
        timings.append((time.perf_counter_ns() - start) / 1000)
    cpu = time.process_time() - cpu
    return timings, cpu / len(sample) * 1e6


def describe(timings: list[float]) -> dict[str, float]:
    return {
        "mean": sum(timings) / len(timings),
        "median": common.percentile(timings, 50),
        "p95": common.percentile(timings, 95),
        "p99": common.percentile(timings, 99),
        "max": max(timings),
    }


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--names", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    info = common.print_machine(postgresql=False)
    rss_imported = rss_kib()
    start = time.perf_counter()
    transliteration.to_cyrillic("GURIANOV", "surname")  # loads the lexicon
    load_s = time.perf_counter() - start
    rss_loaded = rss_kib()
    sample = names(args.names)
    print(
        f"{len(sample)} names; RSS {rss_imported / 1024:.1f} MiB after import, "
        f"{rss_loaded / 1024:.1f} MiB after loading the lexicon "
        f"(+{(rss_loaded - rss_imported) / 1024:.1f} MiB) in {load_s * 1000:.0f} ms"
    )
    figures: dict[str, dict[str, list]] = {}
    for name, convert in (
        ("lexicon", transliteration.to_cyrillic),
        ("rules alone", rules_alone),
    ):
        figures[name] = {"wall_us": [], "cpu_us": []}
        for rep in range(1, args.repeat + 1):
            timings, cpu_us = one_pass(convert, sample)
            stats = describe(timings)
            figures[name]["wall_us"].append(stats)
            figures[name]["cpu_us"].append(cpu_us)
            print(
                f"  {name} rep={rep}: CPU {cpu_us:.0f} µs/name; wall mean "
                f"{stats['mean']:.0f}, median {stats['median']:.0f}, p95 "
                f"{stats['p95']:.0f}, p99 {stats['p99']:.0f}, max "
                f"{stats['max']:.0f} µs",
                flush=True,
            )
    rss_after = rss_kib()
    print(f"RSS after the passes {rss_after / 1024:.1f} MiB")
    path = common.save_result(
        "names_lexicon",
        {
            "machine": info,
            "args": vars(args),
            "rss_kib": {
                "imported": rss_imported,
                "loaded": rss_loaded,
                "after_passes": rss_after,
            },
            "load_ms": load_s * 1000,
            "figures": figures,
        },
    )
    print(f"figures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
