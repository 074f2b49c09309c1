"""reservations 0003: the free-text history keys of existing rows become
entity, entity_id, entity_label and the bare field name."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reservations", "0002_personchange_entity")]
AFTER = [("reservations", "0003_personchange_structured")]

pytestmark = pytest.mark.usefixtures("_russian_by_default", "_latest_schema_after")


@pytest.fixture
def _latest_schema_after():
    """Leave the test database at the latest migrations, whatever happens:
    later tests need every column added since 0003."""
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_old_keys_are_parsed_into_columns():
    apps = _migrate(BEFORE)
    Person = apps.get_model("reservations", "Person")
    Doc = apps.get_model("reservations", "IdentityDocument")
    Visa = apps.get_model("reservations", "Visa")
    Card = apps.get_model("reservations", "MigrationCard")
    Change = apps.get_model("reservations", "PersonChange")
    person = Person.objects.create(surname="Репин")
    doc = Doc.objects.create(person=person, kind="passport_rf", series="4510", number="123456")
    card = Card.objects.create(person=person, number="7654321")
    keys = [
        "surname",
        f"documents[passport_rf #{doc.pk}].expiry_date",  # guest card, API
        "documents[passport_rf 4510 ****56].number",  # EMIS
        "visas[#99]",  # an API deletion: no field, a gone visa
        "visas[25 *****22].valid_to",
        "migration_card.number",
    ]
    for key in keys:
        Change.objects.create(person=person, field=key, source="manual")

    apps = _migrate(AFTER)
    Change = apps.get_model("reservations", "PersonChange")
    rows = [
        (c.entity, c.entity_id, c.entity_label, c.field)
        for c in Change.objects.order_by("pk")
    ]
    assert rows == [
        ("person", None, "", "surname"),
        ("document", doc.pk, "passport_rf 4510 ****56", "expiry_date"),
        ("document", doc.pk, "passport_rf 4510 ****56", "number"),
        ("visa", 99, "", "number"),
        ("visa", None, "25 *****22", "valid_to"),
        ("migration_card", card.pk, "", "number"),
    ]
    assert Visa.objects.count() == 0

    apps = _migrate(BEFORE)  # and back: readable keys again
    Change = apps.get_model("reservations", "PersonChange")
    fields = list(Change.objects.order_by("pk").values_list("field", flat=True))
    assert fields[2] == "documents[passport_rf 4510 ****56].number"
    assert fields[5] == "migration_card.number"
