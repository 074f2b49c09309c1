"""Payload parsing alone: the EMIS contract reader, without HTTP or database.

    .venv/bin/python bench/payload_parse.py
    git show <commit>:emis/payload.py > /tmp/old_payload.py
    .venv/bin/python bench/payload_parse.py --impl /tmp/old_payload.py --impl emis.payload

Three figures, each per item: ``parse_webhook`` of signed-webhook-sized
bodies (raw UTF-8 JSON bytes, as the view gets them: the JSON decoding is
included), ``parse_changes_page`` of decoded ``/changes`` pages of 200
persons (as the client hands them over), and ``content_hash`` of a parsed
person (what the apply compares with the stored hash). The persons are
``common.emis_person``: a passport, a visa and a migration card each.

The end-to-end benchmarks share the machine's two cores with everything
else; this one measures the parser in one process, so it shows a parser
change that the noise of the others hides. Each repetition reports the
process CPU time (``time.process_time``, less sensitive to other work on
the machine) and the wall time per item; the figures are the median
(min–max) over the repetitions. ``--impl`` (repeatable) names the versions
to measure: a module name or a module file (such as the reader before a
change); each repetition runs all of them in turn, in alternating order,
so that they share the machine's load.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


def load_module(impl: str):
    if not impl.endswith(".py"):
        return importlib.import_module(impl)
    spec = importlib.util.spec_from_file_location(f"payload_{Path(impl).stem}", impl)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def webhook_bodies(count: int) -> list[bytes]:
    return [
        json.dumps(
            {
                "event": "person.documents_saved",
                "legal_entity_id": "17",
                "person": common.emis_person(
                    1000 + i, 1 + i % 5, place=f"ГОР. ТВЕРЬ {1 + i % 5}"
                ),
            },
            ensure_ascii=False,
        ).encode()
        for i in range(count)
    ]


def changes_pages(count: int, size: int) -> list[dict]:
    return [
        {
            "items": [common.emis_person(1000 + p * size + i) for i in range(size)],
            "next_cursor": f"c-{p + 1:06d}",
            "has_more": p + 1 < count,
        }
        for p in range(count)
    ]


def timed(work, items: int) -> tuple[float, float]:
    """CPU and wall microseconds per item of one call of ``work``."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / items * 1e6, wall / items * 1e6


def cases(payload, bodies: list[bytes], pages: list[dict]) -> dict:
    """name → (the work, the number of items it handles)."""
    persons = [
        person for page in pages for person in payload.parse_changes_page(page).items
    ]
    return {
        "parse_webhook": (
            lambda: [payload.parse_webhook(b) for b in bodies],
            len(bodies),
        ),
        "parse_changes_page": (
            lambda: [payload.parse_changes_page(p) for p in pages],
            len(persons),
        ),
        "content_hash": (
            lambda: [payload.content_hash(p) for p in persons],
            len(persons),
        ),
    }


def measure(modules: dict, args) -> dict[str, dict[str, dict[str, list[float]]]]:
    """impl → case → {"cpu_us": [...], "wall_us": [...]}."""
    bodies = webhook_bodies(args.webhooks)
    pages = changes_pages(args.pages, args.page_size)
    work = {impl: cases(module, bodies, pages) for impl, module in modules.items()}
    figures = {
        impl: {name: {"cpu_us": [], "wall_us": []} for name in by_name}
        for impl, by_name in work.items()
    }
    for by_name in work.values():
        for run, _items in by_name.values():
            run()  # warm-up
    order = list(work)
    for rep in range(1, args.repeat + 1):
        load = os.getloadavg()[0]
        for impl in order if rep % 2 else order[::-1]:
            line = []
            for name, (run, items) in work[impl].items():
                cpu, wall = timed(run, items)
                figures[impl][name]["cpu_us"].append(cpu)
                figures[impl][name]["wall_us"].append(wall)
                line.append(f"{name} {cpu:.1f}/{wall:.1f}")
            print(
                f"  rep={rep} {impl} (load avg {load:.1f}), µs CPU/wall: "
                + "; ".join(line),
                flush=True,
            )
    return figures


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--webhooks", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--impl",
        action="append",
        help="module name or file to measure (repeatable; default emis.payload)",
    )
    args = parser.parse_args()
    info = common.print_machine()
    modules = {impl: load_module(impl) for impl in args.impl or ["emis.payload"]}
    figures = measure(modules, args)
    print("\nper item (median, min–max over repetitions):")
    for impl, by_name in figures.items():
        print(f"  {impl} ({modules[impl].__file__}):")
        for name, values in by_name.items():
            print(
                f"    {name}: {common.fmt_range(values['cpu_us'], 1)} µs CPU, "
                f"{common.fmt_range(values['wall_us'], 1)} µs wall"
            )
    path = common.save_result(
        "payload_parse" if args.impl is None else "payload_parse_custom",
        {"machine": info, "args": vars(args), "figures": figures},
    )
    print(f"\nfigures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
