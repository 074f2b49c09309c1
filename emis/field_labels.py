"""Human names of EMIS field paths ("documents[passport_rf 4510 ****56].
expiry_date" → "identity document: expiry date"), for the pull's result and
the card's conflict comparison. The bracketed key is never shown."""

from __future__ import annotations

from reservations.models import IdentityDocument, MigrationCard, Person, Visa

# Collections of a person's EMIS data as they appear in changed-field paths
# such as "documents[passport_rf 4510 123456].expiry_date".
_COLLECTIONS = {
    "documents": IdentityDocument,
    "visas": Visa,
    "migration_card": MigrationCard,
}


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # an unknown path part: show it as it came
        return name


def _label(path: str) -> str:
    head, _dot, attr = path.partition(".")
    base = head.partition("[")[0]
    model = _COLLECTIONS.get(base)
    if model is None:
        return _field_label(Person, base)
    what = str(model._meta.verbose_name)
    # The bracketed key holds the document number: never shown here.
    return f"{what}: {_field_label(model, attr)}" if attr else what


def changed_field_labels(paths: list[str]) -> list[str]:
    """Human names of changed fields, in order, each once."""
    labels: list[str] = []
    for path in paths:
        label = _label(str(path))
        if label not in labels:
            labels.append(label)
    return labels
