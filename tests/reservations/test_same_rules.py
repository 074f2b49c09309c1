"""The guest card and the API refuse the same staff writes: the rules live
in the models' ``clean``, which the services run, not in the form or the
serializer."""

import pytest
from django.urls import reverse

from reservations.models import IdentityDocument, Visa
from tests.factories import make_guest, make_reservation
from tests.support.formdata import form_data

pytestmark = pytest.mark.django_db

BAD_DOCUMENT = {
    "kind": "passport_rf",
    "number": "123456",
    "issue_date": "2020-01-01",
    "expiry_date": "2019-01-01",
}
BAD_VISA = {"number": "987654321", "valid_from": "2026-11-01", "valid_to": "2026-10-01"}


def _guest_url(stay):
    return reverse("reservations:guest", args=[stay.reservation_id, stay.pk])


def _form_post(client, stay, prefix: str, values: dict):
    data = form_data(client.get(_guest_url(stay)).content.decode(), "guest-form")
    data.update({f"{prefix}-0-{name}": value for name, value in values.items()})
    return client.post(_guest_url(stay), data)


def _form_errors(response, prefix: str) -> dict:
    assert response.status_code == 200  # re-rendered, not saved
    return response.context["forms"].records[prefix].forms[0].errors


@pytest.mark.parametrize(
    ("prefix", "values", "field", "model"),
    [
        ("documents", BAD_DOCUMENT, "expiry_date", IdentityDocument),
        ("visas", BAD_VISA, "valid_to", Visa),
    ],
)
def test_form_and_api_refuse_an_end_before_the_start(
    front_desk_client, api_front_desk, prefix, values, field, model
):
    stay = make_guest(make_reservation())
    errors = _form_errors(_form_post(front_desk_client, stay, prefix, values), prefix)
    assert list(errors) == [field]

    url = f"/api/v1/persons/{stay.person_id}/"
    response = api_front_desk.patch(url, {prefix: [values]}, format="json")
    assert response.status_code == 400
    assert list(response.json()[prefix]["0"]) == [field]
    assert errors[field] == response.json()[prefix]["0"][field]
    assert not model.objects.exists()


def test_an_existing_document_is_checked_against_its_stored_dates(api_front_desk):
    stay = make_guest(make_reservation())
    doc = IdentityDocument.objects.create(
        person=stay.person, kind="other", number="1", issue_date="2020-01-01"
    )
    url = f"/api/v1/persons/{stay.person_id}/"
    body = {"documents": [{"id": doc.pk, "expiry_date": "2019-12-31"}]}
    response = api_front_desk.patch(url, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["documents"]["0"]) == ["expiry_date"]
    doc.refresh_from_db()
    assert doc.expiry_date is None
