"""Guest writes, grouped by what they change: ``persons``, ``stays`` (and
reservations), ``documents`` (documents, visas, migration card). The guest
card and the REST API write through these; ``merge`` folds a duplicate
person into another. EMIS's apply takes the same row lock (``person_lock``)
but writes a sync page in bulk, checked by the contract rather than the
staff rules (``emis/apply.py``, docs/architecture.md).

Services validate (the model's ``clean``) and raise Django's
``ValidationError``; forms and serializers only parse input."""

from .base import UNSET, history_record, locked, person_lock
from .documents import RECORD_MODELS, RecordEdit, person_apply, person_records_save
from .merge import MergeRefused, merge_refusal, person_merge
from .persons import person_create, person_update
from .stays import (
    guest_add,
    guest_attach,
    guest_update,
    reservation_create,
    reservation_update,
    stay_create,
    stay_remove,
    stay_update,
)

__all__ = [
    "RECORD_MODELS",
    "MergeRefused",
    "UNSET",
    "RecordEdit",
    "guest_add",
    "guest_attach",
    "guest_update",
    "history_record",
    "locked",
    "merge_refusal",
    "person_apply",
    "person_create",
    "person_lock",
    "person_merge",
    "person_records_save",
    "person_update",
    "reservation_create",
    "reservation_update",
    "stay_create",
    "stay_remove",
    "stay_update",
]
