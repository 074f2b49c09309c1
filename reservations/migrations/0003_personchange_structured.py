"""Existing history rows: the free-text key ("documents[passport_rf #3].number",
"documents[passport_rf 4510 ****56].number", "visas[#5]", "migration_card.number")
becomes entity, entity_id, entity_label and the bare field name.

The label is computed here as ``reservations.history.record_label`` does today
(copied: a migration must not change when the app code does)."""

import re

from django.db import migrations
from django.db.models import Q

_KEY = re.compile(
    r"^(?P<relation>documents|visas|migration_card)"
    r"(?:\[(?P<key>[^\]]*)\])?(?:\.(?P<name>\w+))?$"
)
_ID = re.compile(r"^(?:(?P<kind>\w+) )?#(?P<pk>\d+)$")
_ENTITY = {"documents": "document", "visas": "visa", "migration_card": "migration_card"}
_PREFIX = {"document": "documents", "visa": "visas"}


def _mask(value):
    value = str(value or "")
    if len(value) <= 2:
        return "*" * len(value)
    return "*" * (len(value) - 2) + value[-2:]


def _label(entity, obj):
    if entity == "migration_card":
        return ""
    parts = (getattr(obj, "kind", ""), (obj.series or "")[:20], _mask(obj.number)[-10:])
    return " ".join(p for p in parts if p)


class _Records:
    """A person's current records, to give old rows an id and one label."""

    def __init__(self, apps):
        self.models = {
            "document": apps.get_model("reservations", "IdentityDocument"),
            "visa": apps.get_model("reservations", "Visa"),
            "migration_card": apps.get_model("reservations", "MigrationCard"),
        }
        self.cache = {}

    def of(self, entity, person_id):
        key = (entity, person_id)
        if key not in self.cache:
            objs = self.models[entity].objects.filter(person_id=person_id)
            self.cache[key] = {obj.pk: obj for obj in objs}
        return self.cache[key]


def _convert(row, records):
    match = _KEY.match(row.field)
    if match is None:
        return False
    entity = _ENTITY[match["relation"]]
    objs = records.of(entity, row.person_id)
    key = match["key"] or ""
    by_id = _ID.match(key)
    if entity == "migration_card":
        row.entity_id = next(iter(objs), None)
        row.entity_label = ""
    elif by_id is not None:  # the guest card's and the API's "kind #pk"
        row.entity_id = int(by_id["pk"])
        obj = objs.get(row.entity_id)
        row.entity_label = _label(entity, obj) if obj else (by_id["kind"] or "")
    else:  # EMIS's "kind series ****56": find the record it names
        row.entity_label = key[:200]
        row.entity_id = next(
            (pk for pk, obj in objs.items() if _label(entity, obj) == key), None
        )
    row.entity = entity
    # A deletion written by the API had no field; its values were the number.
    row.field = match["name"] or "number"
    return True


def forwards(apps, schema_editor):
    PersonChange = apps.get_model("reservations", "PersonChange")
    records = _Records(apps)
    old = (
        Q(field__startswith="documents")
        | Q(field__startswith="visas")
        | Q(field__startswith="migration_card")
    )
    batch = []
    fields = ["entity", "entity_id", "entity_label", "field"]
    for row in PersonChange.objects.filter(old).order_by("pk").iterator(2000):
        if _convert(row, records):
            batch.append(row)
        if len(batch) >= 1000:
            PersonChange.objects.bulk_update(batch, fields)
            batch = []
    PersonChange.objects.bulk_update(batch, fields)


def backwards(apps, schema_editor):
    PersonChange = apps.get_model("reservations", "PersonChange")
    batch = []
    for row in PersonChange.objects.exclude(entity="person").iterator(2000):
        prefix = _PREFIX.get(row.entity)
        if prefix is None:
            row.field = f"{row.entity}.{row.field}"
        else:
            row.field = f"{prefix}[{row.entity_label}].{row.field}"[:200]
        batch.append(row)
    PersonChange.objects.bulk_update(batch, ["field"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("reservations", "0002_personchange_entity")]

    operations = [migrations.RunPython(forwards, backwards)]
