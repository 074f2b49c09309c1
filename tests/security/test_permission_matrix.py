"""The permission matrix of every URL, generated from the URL configuration.

Every named route must appear in ``ACCESS`` below — a new URL without an
entry fails ``test_every_url_is_in_the_matrix`` — and every route is then
requested as anonymous, front desk, admin and support and must answer as its
access level says.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from emis.models import EmisJob
from pms.roles import Role
from tests.factories import make_guest, make_legal_entity, make_reservation, make_user

# Access levels.
PUBLIC = "public"  # anyone, no login
SIGNED = "signed"  # no login; authenticated by an HMAC signature instead
LOGGED_IN = "logged_in"  # any authenticated user
FRONT_DESK = "front_desk"
ADMIN = "admin"
SUPPORT = "support"  # the Django admin's own checks (staff + role)

ACCESS: dict[str, str] = {
    "home": LOGGED_IN,
    "healthz": PUBLIC,
    "favicon": PUBLIC,  # a redirect to the static icon
    "login": PUBLIC,
    "logout": PUBLIC,  # logging out is harmless for anyone
    "set_language": PUBLIC,
    "reservations:board": FRONT_DESK,
    "reservations:country_name": FRONT_DESK,  # the name beside a country input
    "reservations:list": FRONT_DESK,
    "reservations:create": FRONT_DESK,
    "reservations:card": FRONT_DESK,
    "reservations:guest_new": FRONT_DESK,
    "reservations:guest_attach": FRONT_DESK,
    "reservations:guest": FRONT_DESK,
    "reservations:guest_refresh": FRONT_DESK,
    "reservations:guests_state": FRONT_DESK,
    "reservations:person_history": "front_desk_or_support",
    "reservations:person": FRONT_DESK,
    "reservations:person_merge": ADMIN,  # GET confirms, POST merges
    "legal_entities:list": ADMIN,
    "legal_entities:add": ADMIN,
    "legal_entities:edit": ADMIN,
    "integrations:list": ADMIN,
    "integrations:emis:edit": ADMIN,
    "emis:upload": FRONT_DESK,
    "emis:pull": FRONT_DESK,
    "emis:job": FRONT_DESK,
    "emis:job_cancel": FRONT_DESK,
    "emis:person_state": FRONT_DESK,
    "emis:dialog_actions": FRONT_DESK,
    "emis:conflicts_resolve": FRONT_DESK,
    "emis:sync_now": ADMIN,
    "emis:sync_job": ADMIN,
    "emis:reservation_pull": FRONT_DESK,
    "emis:board_guest_pull": FRONT_DESK,
    "emis:board_guest_job": FRONT_DESK,
    "api-token": PUBLIC,
    "api-legal-entity-list": FRONT_DESK,
    "api-legal-entity-detail": FRONT_DESK,
    "api-reservation-list": FRONT_DESK,
    "api-reservation-detail": FRONT_DESK,
    "api-reservation-guests": FRONT_DESK,
    "api-reservation-guest": FRONT_DESK,
    "api-person": FRONT_DESK,
    "api-person-duplicates": FRONT_DESK,
    "api-person-merge": ADMIN,
    "api-arrivals": FRONT_DESK,
    "emis-connection": ADMIN,
    "emis-connection-test": ADMIN,
    "emis-name-policy": ADMIN,
    "emis-name-policy-preview": FRONT_DESK,
    "emis-name-policy-reapply": ADMIN,
    "emis-name-policy-reapply-job": ADMIN,
    "emis-webhook": SIGNED,
    "emis-pull": FRONT_DESK,
    "emis-job": FRONT_DESK,
    "emis-job-cancel": FRONT_DESK,
    "emis-conflicts": FRONT_DESK,
    "emis-conflicts-resolve": FRONT_DESK,
    "emis-upload-link": FRONT_DESK,
    "emis-deliveries": ADMIN,
    "api-person-access-log": ADMIN,
    "personal_data:access_log": ADMIN,
    "personal_data:access_log_csv": ADMIN,
    "personal_data:history_reveal": FRONT_DESK,
    "personal_data:erase": ADMIN,  # GET confirms, POST erases
    "personal_data:export": ADMIN,
    "api-person-erase": ADMIN,
    "api-person-export": ADMIN,
    "api-schema": LOGGED_IN,
    "api-swagger": LOGGED_IN,
    "api-not-found": PUBLIC,  # a JSON 404 (or 308 to the slashed path)
}

# Routes whose only method is POST: requested with POST (an empty body) so
# the permission gate, not the method check, decides the answer.
POST_ONLY = {
    "logout",
    "set_language",
    "api-token",
    "emis-connection-test",
    "emis-name-policy-preview",
    "emis-name-policy-reapply",
    "emis-webhook",
    "emis-pull",
    "emis-conflicts-resolve",
    "emis-upload-link",
    "api-person-merge",
    "api-person-erase",
    "emis:upload",  # opens an EMIS session: POST with CSRF (issue 8, item 9)
    "emis:pull",
    "emis:job_cancel",
    "emis-job-cancel",
    "reservations:guest_attach",
    "reservations:guest_refresh",
    "emis:conflicts_resolve",
    "emis:sync_now",
    "emis:reservation_pull",
    "emis:board_guest_pull",
    "personal_data:history_reveal",
}


def _routes(patterns=None, namespace=None):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _routes(entry.url_patterns, full)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name is None:
                yield (namespace, None, str(entry.pattern))
            else:
                yield (namespace, f"{namespace}:{name}" if namespace else name, str(entry.pattern))


def _named_routes() -> list[str]:
    return sorted({name for ns, name, _ in _routes() if name and ns != "admin"})


def test_every_url_is_in_the_matrix():
    unnamed = [p for ns, name, p in _routes() if name is None and ns != "admin"]
    assert unnamed == [], f"routes without a name cannot be checked: {unnamed}"
    missing = [n for n in _named_routes() if n not in ACCESS]
    assert missing == [], f"add these routes to ACCESS: {missing}"
    stale = [n for n in ACCESS if n not in _named_routes()]
    assert stale == [], f"ACCESS lists routes that no longer exist: {stale}"


@pytest.fixture
def world(db):
    entity = make_legal_entity()
    reservation = make_reservation(entity)
    stay = make_guest(reservation)
    job = EmisJob.objects.create(person=stay.person, legal_entity=entity)
    return {
        "pk": None,  # depends on the route, see _kwargs
        "reservation_id": reservation.pk,
        "stay_id": stay.pk,
        "person_id": stay.person_id,
        "job_id": job.pk,
        "_entity": entity.pk,
        "_reservation": reservation.pk,
    }


def _url(name: str, world: dict) -> str:
    for kwargs in _candidate_kwargs(name, world):
        try:
            return reverse(name, kwargs=kwargs)
        except Exception:  # noqa: BLE001, S112 - try the next shape of arguments
            continue
    raise AssertionError(f"cannot build a URL for {name}")


def _candidate_kwargs(name: str, world: dict):
    pk = world["_entity"] if "legal" in name else world["_reservation"]
    keys = ["reservation_id", "stay_id", "person_id", "job_id"]
    yield {}
    yield {"pk": pk}
    yield {"pk": pk, "stay_id": world["stay_id"]}
    for key in keys:
        yield {key: world[key]}
    yield {"reservation_id": world["reservation_id"], "stay_id": world["stay_id"]}
    yield {"person_id": world["person_id"], "job_id": world["job_id"]}
    yield {"stay_id": world["stay_id"], "job_id": world["job_id"]}
    yield {"person_id": world["person_id"], "change_id": 1}  # 404 passes the gate


ROLES = {
    "anonymous": None,
    "front_desk": Role.FRONT_DESK,
    "admin": Role.ADMIN,
    "support": Role.SUPPORT,
}


def _allowed(level: str, who: str) -> bool:
    if level in (PUBLIC, SIGNED):
        return True
    if who == "anonymous":
        return False
    return {
        LOGGED_IN: True,
        FRONT_DESK: who in ("front_desk", "admin"),
        ADMIN: who == "admin",
        "front_desk_or_support": who in ("front_desk", "admin", "support"),
    }[level]


@pytest.mark.parametrize("who", list(ROLES))
@pytest.mark.parametrize("name", _named_routes())
def test_permission_matrix(client, world, name, who):
    level = ACCESS.get(name)
    if level is None:
        pytest.fail(f"{name} is not in ACCESS")
    if ROLES[who] is not None:
        client.force_login(make_user(ROLES[who]))
    url = _url(name, world)
    method = client.post if name in POST_ONLY else client.get
    response = method(url)
    status = response.status_code
    location = response.get("Location", "")
    assert status < 500, f"{name} as {who}: {status}"
    denied = status in (401, 403) or (status == 302 and "/accounts/login/" in location)
    if name == "logout":
        assert status == 302  # logged out (or already out), sent to the login page
    elif level == SIGNED:
        assert status == 401 or status == 403, f"{name} unsigned must be refused: {status}"
    elif _allowed(level, who):
        assert not denied, f"{name} as {who} must be allowed, got {status} {location}"
    else:
        assert denied, f"{name} as {who} must be refused, got {status}"
        if who == "anonymous" and url.startswith("/api/"):
            assert status == 401, f"{name}: anonymous API calls get 401, got {status}"


@pytest.mark.parametrize("who", ["anonymous", "front_desk", "admin"])
def test_django_admin_is_closed_to_non_staff(client, db, who):
    if ROLES[who] is not None:
        client.force_login(make_user(ROLES[who]))
    for url in ("/admin/", "/admin/emis/namepolicy/", "/admin/auth/user/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login/" in response["Location"]


def test_support_reaches_only_the_name_policy_in_the_admin(client, db):
    client.force_login(make_user(Role.SUPPORT))
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/emis/namepolicy/", follow=True)
    assert response.status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 403
