"""emis/bulk_sql.py writes rows as the ORM would: on PostgreSQL by COPY, on
SQLite by INSERT (the suite runs on both)."""

import pytest

from emis import bulk_sql
from reservations.models import IdentityDocument
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_insert_stores_json_as_json_and_leaves_generated_columns_to_the_database():
    person = make_person()
    doc = IdentityDocument(
        person=person,
        kind="passport_rf",
        series="45 10",
        number="123456",
        emis_values={"issuer": "ОВД «Центр»", "number": "123456"},
    )
    bulk_sql.insert(IdentityDocument, [doc])
    stored = IdentityDocument.objects.get(person=person)
    assert stored.emis_values == {"issuer": "ОВД «Центр»", "number": "123456"}
    assert stored.number_key == "4510123456"
