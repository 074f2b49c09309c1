"""Signals of the reservations app, for apps it must not import (EMIS)."""

from django.dispatch import Signal

# Sent by ``services/merge.py`` inside the merge's transaction, both persons
# locked, after records both held were kept once and before every row that
# points at the merged person moves to the survivor. A receiver moves what
# that generic move cannot: rows that name a record by its id, or that are
# one per field of a person. Arguments: ``merged_id``, ``survivor_id`` and
# ``replaced`` — per history entity ("document", "visa", "migration_card"),
# {id of a record that is gone: id of the record kept in its place}.
person_merging = Signal()

# Sent by ``name_scripts.policy_scripts`` with ``legal_entity_ids`` (a set;
# None stands for the global policy). A receiver — the app that keeps the name
# policy, EMIS — answers {legal entity id: "latin" or "cyrillic"}: the script
# its policy gives the main name fields under each. No receiver: no answer,
# and the checks leave the name's script alone.
name_scripts_wanted = Signal()
