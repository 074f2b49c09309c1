import time
import pytest
import responses
from emis.apply import persons_apply_many
from emis.payload import parse_person
from emis.sync import sync_legal_entity
from reservations.models import Person
from tests.factories import make_legal_entity
from .conftest import russian, foreigner, BASE_URL

@pytest.mark.django_db
def test_bench(connection, settings):
    le = make_legal_entity()
    people = Person.objects.bulk_create([Person(surname=f"P{i}") for i in range(2000)])
    items = [(russian if i % 2 else foreigner)(p.pk) for i, p in enumerate(people)]
    pages = [items[i:i+200] for i in range(0, 2000, 200)]
    with responses.RequestsMock() as rsps:
        for n, pg in enumerate(pages):
            params = {"legal_entity_id": str(le.pk), "limit": "200"}
            if n:
                params["cursor"] = f"c{n}"
            rsps.get(f"{BASE_URL}/api/v1/changes", match=[responses.matchers.query_param_matcher(params)],
                     json={"items": pg, "next_cursor": f"c{n+1}", "has_more": n < 9})
        import cProfile, pstats
        t = time.perf_counter()
        prof = cProfile.Profile()
        if __import__('os').environ.get('PROF'): prof.enable()
        run = sync_legal_entity(legal_entity_id=le.pk)
        prof.disable()
        dt = time.perf_counter() - t
        (pstats.Stats(prof).sort_stats("cumulative").print_stats(30) if __import__("os").environ.get("PROF") else None)
    print(f"\nSYNC {run.applied} applied in {dt:.2f}s = {run.applied/dt:.0f}/s err={run.error}")
    parsed = [parse_person(x) for x in items[:200]]
    t = time.perf_counter()
    for _ in range(3):
        out = persons_apply_many(legal_entity_id=le.pk, items=parsed, source="sync")
    dt = time.perf_counter() - t
    print(f"UNCHANGED 600 in {dt:.2f}s = {600/dt:.0f}/s")
