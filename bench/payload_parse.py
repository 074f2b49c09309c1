"""Payload parsing alone: the EMIS contract reader, without HTTP or database.

    .venv/bin/python bench/payload_parse.py
    .venv/bin/python bench/payload_parse.py --impl /tmp/old_payload.py

Three figures, each per item: ``parse_webhook`` of signed-webhook-sized
bodies (raw UTF-8 JSON bytes, as the view gets them: the JSON decoding is
included), ``parse_changes_page`` of decoded ``/changes`` pages of 200
persons (as the client hands them over), and ``content_hash`` of a parsed
person (what the apply compares with the stored hash). The persons are
``common.emis_person``: a passport, a visa and a migration card each.

The end-to-end benchmarks share the machine's two cores with everything
else; this one measures the parser in one process, so it shows a parser
change that the noise of the others would hide. Each repetition reports
the process CPU time (``time.process_time``, less sensitive to other work
on the machine) and the wall time per item; the figures are the median
(min–max) over the repetitions. ``--impl`` measures another version of
the module, loaded from a file (for example the reader before a change,
``git show <commit>:emis/payload.py > /tmp/old_payload.py``), so two
versions can be measured side by side under the same load.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


def load_module(impl: str | None):
    if impl is None:
        import emis.payload

        return emis.payload
    spec = importlib.util.spec_from_file_location("payload_under_test", impl)
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


def measure(payload, args) -> dict[str, dict[str, list[float]]]:
    bodies = webhook_bodies(args.webhooks)
    pages = changes_pages(args.pages, args.page_size)
    persons = [
        person for page in pages for person in payload.parse_changes_page(page).items
    ]
    cases = {
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
    figures = {name: {"cpu_us": [], "wall_us": []} for name in cases}
    for work, _items in cases.values():
        work()  # warm-up
    for rep in range(1, args.repeat + 1):
        load = os.getloadavg()[0]
        line = []
        for name, (work, items) in cases.items():
            cpu, wall = timed(work, items)
            figures[name]["cpu_us"].append(cpu)
            figures[name]["wall_us"].append(wall)
            line.append(f"{name} {cpu:.1f} µs CPU / {wall:.1f} µs wall")
        print(f"  rep={rep} (load avg {load:.1f}): " + "; ".join(line), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--webhooks", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--impl", help="a payload module file to measure instead")
    args = parser.parse_args()
    info = common.print_machine()
    payload = load_module(args.impl)
    print(f"module: {payload.__file__}")
    figures = measure(payload, args)
    print("\nper item (median, min–max over repetitions):")
    for name, values in figures.items():
        print(
            f"  {name}: {common.fmt_range(values['cpu_us'], 1)} µs CPU, "
            f"{common.fmt_range(values['wall_us'], 1)} µs wall"
        )
    name = "payload_parse" + (f"_{Path(args.impl).stem}" if args.impl else "")
    path = common.save_result(
        name,
        {"machine": info, "module": payload.__file__, "args": vars(args), **figures},
    )
    print(f"\nfigures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
