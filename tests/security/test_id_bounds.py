"""IDs in addresses (issue: huge or negative IDs were a 500).

Every URL pattern that names a row takes its ID through the one ``id``
converter (``pms/ids.py``): 1 .. 2**63 - 1, nothing else. The walk below
reads the URL configuration itself, so a new route with ``<int:…>`` or with
an unbounded ID fails here without anyone listing it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from pms.ids import IdConverter, parse_id
from pms.roles import Role
from tests.factories import make_guest, make_reservation, make_user

OUT_OF_RANGE = ["0", "-1", str(2**63), "9" * 40]
LARGEST = str(2**63 - 1)  # a valid ID no row has


def _leaves(patterns=None, prefix=()):
    """Each URL pattern with the chain of patterns above it."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        chain = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _leaves(entry.url_patterns, chain)
        elif isinstance(entry, URLPattern):
            yield chain


def _id_routes() -> list[tuple]:
    return [
        chain
        for chain in _leaves()
        if any(
            isinstance(p, RoutePattern)
            and any(isinstance(c, IdConverter | IntConverter) for c in p.converters.values())
            for p in chain
        )
    ]


def _url(chain: tuple, value: str) -> str:
    """The route with ``value`` in every ID parameter (built by hand: the
    converter would refuse to reverse an out-of-range one)."""
    parts = []
    for pattern in chain:
        route = str(pattern)
        assert isinstance(pattern, RoutePattern), f"an ID under a regex route: {route}"
        for name in pattern.converters:
            route = route.replace(f"<{_kind(pattern, name)}:{name}>", value)
        parts.append(route)
    return "/" + "".join(parts)


def _kind(pattern: RoutePattern, name: str) -> str:
    return "int" if isinstance(pattern.converters[name], IntConverter) else "id"


def test_the_walk_finds_the_id_routes():
    routes = {"".join(map(str, chain)) for chain in _id_routes()}
    # Pages, the API and the Django admin's own pages of ours.
    assert "persons/<id:person_id>/merge/" in routes
    assert "personal-data/persons/<id:person_id>/history/<id:change_id>/reveal/" in routes
    assert "api/v1/persons/<id:person_id>/" in routes
    assert "admin/emis/namepolicy/reapply/<id:job_id>/" in routes
    assert len(routes) > 30


def test_every_id_in_a_path_uses_the_one_bounded_converter():
    unbounded = [
        "".join(map(str, chain))
        for chain in _id_routes()
        if any(
            isinstance(c, IntConverter)
            for p in chain
            if isinstance(p, RoutePattern)
            for c in p.converters.values()
        )
    ]
    assert unbounded == [], f"use <id:…> (pms/ids.py), not <int:…>: {unbounded}"


@pytest.mark.parametrize(
    "value", ["0", "-1", "+1", " 7", "1.5", "²", "١٢", "", "abc", str(2**63), "9" * 5000]
)
def test_parse_id_refuses_what_no_row_can_be(value):
    assert parse_id(value) is None


@pytest.mark.parametrize("value", ["1", "007", LARGEST])
def test_parse_id_reads_an_id(value):
    assert parse_id(value) == int(value)


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_an_id_out_of_range_matches_no_route(value):
    for chain in _id_routes():
        url = _url(chain, value)
        try:
            match = resolve(url)
        except Resolver404:
            continue
        # Only a catch-all may take it (the API's JSON 404, the admin's
        # "<path:object_id>/" redirect), never the route itself.
        assert match.route != "".join(map(str, chain)), url


@pytest.mark.django_db
@pytest.mark.parametrize("value", [*OUT_OF_RANGE, LARGEST])
def test_no_id_route_answers_500_to_a_bad_or_missing_id(client, value):
    """As an admin who is also a Django superuser, so the admin's pages
    answer too: GET and POST on every ID route, never a 500."""
    admin = make_user(Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    for chain in _id_routes():
        url = _url(chain, value)
        for method in (client.get, client.post):
            status = method(url).status_code
            assert status < 500, f"{method.__name__.upper()} {url}: {status}"
            if value != LARGEST:
                assert status != 200, f"{url} served a page for an impossible ID"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["-1", "0", str(2**63), "9" * 5000, "abc", "²"])
def test_ids_in_query_and_form_fields_are_bounded_too(client, value):
    """The hand-read IDs (``parse_id``): the EMIS dialog's legal entity and
    reservation, the attach form's person. A 404 or the page without the
    choice, never a 500."""
    stay = make_guest(make_reservation())
    client.force_login(make_user(Role.FRONT_DESK))
    person = stay.person_id
    dialog = client.get(
        reverse("emis:dialog_actions", args=[person]), {"legal_entity": value}
    )
    assert dialog.status_code == 200
    assert dialog.context["selected_id"] is None
    upload_again = client.get(reverse("emis:upload", args=[person]), {"reservation": value})
    assert upload_again.status_code == 404
    upload = client.post(reverse("emis:upload", args=[person]), {"legal_entity": value})
    assert upload.status_code == 404
    pull = client.post(reverse("emis:pull", args=[person]), {"legal_entity": value})
    assert pull.status_code == 400  # "Choose a legal entity."
    attach = client.post(
        reverse("reservations:guest_attach", args=[stay.reservation_id]),
        {"person_id": value},
    )
    assert attach.status_code == 404
