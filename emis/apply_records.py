"""Planning EMIS's documents, visas and migration card onto a profile: the
part of ``emis/apply.py``'s batch that matches records and sets their fields.

Records are matched in place by kind, series and number (never duplicated);
ones the profile has that EMIS did not send are kept, because staff may
have typed them. A field of an existing record follows the conflict rule
(``emis/conflicts.py``) like a person's field.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from emis import conflicts
from emis.payload import EmisPerson
from reservations.document_key import number_key
from reservations.history import Change, record_changes
from reservations.models import IdentityDocument, MigrationCard, Person, Visa

_DOC_FIELDS = ("issue_date", "expiry_date", "issuer", "issuer_code", "issuing_country")
_VISA_FIELDS = ("category", "entries", "valid_from", "valid_to", "issuing_country")
_CARD_FIELDS = ("entry_date", "valid_to", "visit_purpose")


def _norm(value: str | None) -> str:
    # Staff type "45 10" where EMIS sends "4510": match on the bare characters
    # (the duplicate check's key, which also skips invisible ones).
    return number_key(value, "")


class RecordPlanning:
    """Mixed into the apply batch, which holds the loaded records
    (``_docs``, ``_visas``, ``_cards``), the pending writes (``documents``,
    ``visas``, ``cards``) and the conflict-aware ``_set_fields``."""

    def _documents(self, person: Person, data: EmisPerson) -> list[Change]:
        docs = self._docs.setdefault(person.pk, [])
        changes: list[Change] = []
        for item in data.documents:
            key = (item.kind, _norm(item.series), _norm(item.number))
            doc = next(
                (d for d in docs if (d.kind, _norm(d.series), _norm(d.number)) == key),
                None,
            )
            created = doc is None
            if created:
                doc = IdentityDocument(person_id=person.pk, kind=item.kind)
                docs.append(doc)
            values = {name: getattr(item, name) for name in _DOC_FIELDS}
            values["series"], values["number"] = item.series, item.number
            # A new document's kind was set when it was made: record it too.
            kind = [("kind", None, item.kind)] if created else []
            doc_changes = self._set_all(doc, values, created, kind)
            if item.source is not None and item.source != doc.source:
                # How EMIS read the document (chip, MRZ, visual zone) is
                # EMIS's to say: recorded, never a conflict for staff.
                old, doc.source = doc.source, item.source
                doc_changes += record_changes(
                    doc, [("source", None if created else old, item.source)]
                )
            self.documents.mark(doc, doc_changes, [c.field for c in doc_changes])
            changes += doc_changes
        return changes

    def _visa_list(self, person: Person, data: EmisPerson) -> list[Change]:
        visas = self._visas.setdefault(person.pk, [])
        changes: list[Change] = []
        for item in data.visas:
            key = (_norm(item.series), _norm(item.number))
            visa = next(
                (v for v in visas if (_norm(v.series), _norm(v.number)) == key), None
            )
            created = visa is None
            if created:
                visa = Visa(person_id=person.pk)
                visas.append(visa)
            values = {name: getattr(item, name) for name in _VISA_FIELDS}
            values["series"], values["number"] = item.series, item.number
            visa_changes = self._set_all(visa, values, created)
            self.visas.mark(visa, visa_changes, [c.field for c in visa_changes])
            changes += visa_changes
        return changes

    def _card(self, person: Person, data: EmisPerson) -> list[Change]:
        item = data.migration_card
        if item is None:
            return []  # a card staff typed stays: EMIS simply has none
        card = self._cards.get(person.pk)
        created = card is None
        if created:
            card = self._cards[person.pk] = MigrationCard(person_id=person.pk)
        values = {name: getattr(item, name) for name in _CARD_FIELDS}
        values["series"], values["number"] = item.series, item.number
        changes = self._set_all(card, values, created)
        self.cards.mark(card, changes, [c.field for c in changes])
        return changes

    def _set_all(
        self, obj: models.Model, values: dict[str, Any], created: bool, extra=()
    ) -> list[Change]:
        """Set every value on a document, visa or migration card (text null →
        ""); a new record's fields change from nothing ("—"), not from its
        defaults, and cannot conflict. Returns what changed."""
        for name, value in values.items():
            if value is None and not obj._meta.get_field(name).null:
                values[name] = ""
        if created:
            triples = [*extra]
            for name, value in values.items():
                conflicts.remember(obj, name, value)
                if getattr(obj, name) != value:
                    setattr(obj, name, value)
                    triples.append((name, None, value))
            return record_changes(obj, triples)
        return self._set_fields(
            obj, values, lambda *triple: record_changes(obj, [triple])[0]
        )
