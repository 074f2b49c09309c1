"""Forms of the guest profile page: person, stay, documents (see the
``TrackedChangesMixin`` in ``forms`` for how concurrent changes survive)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .countries import country_name
from .etags import person_etag
from .forms import (
    CountryField,
    DateInput,
    TrackedChangesMixin,
    clean_phone_value,
    country_field,
    keep_current_code,
)
from .models import IdentityDocument, MigrationCard, Person, Reservation, Stay, Visa
from .services import RecordEdit


class PersonForm(TrackedChangesMixin, forms.ModelForm):
    country = country_field(_("country"))
    citizenship = country_field(_("citizenship"), special=True)

    class Meta:
        model = Person
        fields = [
            "surname",
            "given_names",
            "patronymic",
            "phone",
            "email",
            "country",
            "address",
            "citizenship",
            "discount",
            "sex",
            "birth_date",
            "birth_place",
        ]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_current_code(self, ["country", "citizenship"])
        # Only the surname is needed to create a guest (and get an ID).
        self.fields["discount"].required = False

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])

    def clean_discount(self):
        return self.cleaned_data["discount"] or 0


class StayForm(TrackedChangesMixin, forms.ModelForm):
    class Meta:
        model = Stay
        fields = [
            "organization",
            "payer",
            "agency",
            "contact_method",
            "registration_from",
            "registration_to",
            "card_issued",
            "note",
        ]
        widgets = {
            "registration_from": DateInput(),
            "registration_to": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class _IssuedRecordForm(TrackedChangesMixin, forms.ModelForm):
    """A document or a visa: the issuing country is picked from the list."""

    issuing_country = country_field(_("issuing country"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_current_code(self, ["issuing_country"])


class IdentityDocumentForm(_IssuedRecordForm):
    class Meta:
        model = IdentityDocument
        fields = IdentityDocument.EDIT_FIELDS
        widgets = {"issue_date": DateInput(), "expiry_date": DateInput()}


class VisaForm(_IssuedRecordForm):
    class Meta:
        model = Visa
        fields = Visa.EDIT_FIELDS
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}


class MigrationCardForm(TrackedChangesMixin, forms.ModelForm):
    class Meta:
        model = MigrationCard
        fields = MigrationCard.EDIT_FIELDS
        widgets = {"entry_date": DateInput(), "valid_to": DateInput()}


class _RecordFormSet(forms.BaseInlineFormSet):
    """A person's records as the page read them with the person
    (``selectors.stay_detail`` prefetches the documents and visas and joins
    the migration card), not one more query per list."""

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            loaded = _loaded_records(self.instance, self.fk.remote_field)
            if loaded is None:
                return super().get_queryset()
            self._queryset = loaded
        return self._queryset


def _loaded_records(person: Person, rel) -> list | None:
    """Copies of the person's rows of ``rel`` already read (in the model's
    order), or None when they were not. Copies: a bound form writes the
    posted values onto its instance, and the page reads the stored ones from
    the same prefetched rows (the card drawn again with the user's typing
    showed a record's old value where EMIS had just changed it)."""
    if person.pk is None:
        return None
    if rel.one_to_one:
        if not rel.is_cached(person):
            return None
        card = rel.get_cached_value(person)
        return [] if card is None else [copy.copy(card)]
    prefetched = getattr(person, "_prefetched_objects_cache", {})
    name = rel.get_accessor_name()
    if name not in prefetched:
        return None
    return [copy.copy(record) for record in prefetched[name]]


_formset_options = {
    "formset": _RecordFormSet,
    "extra": 1,
    "can_delete": True,
    "can_delete_extra": False,
}
DocumentFormSet = inlineformset_factory(
    Person, IdentityDocument, form=IdentityDocumentForm, **_formset_options
)
VisaFormSet = inlineformset_factory(Person, Visa, form=VisaForm, **_formset_options)
MigrationCardFormSet = inlineformset_factory(
    Person, MigrationCard, form=MigrationCardForm, max_num=1, **_formset_options
)

RECORD_FORMSETS = {
    "documents": DocumentFormSet,
    "visas": VisaFormSet,
    "migration_card": MigrationCardFormSet,
}


def record_edits(formset: forms.BaseInlineFormSet) -> list[RecordEdit]:
    """What the user did to a person's documents, as plain edits: a new row
    with all its values, an existing row with only its changed fields."""
    edits = []
    deleted = set(map(id, formset.deleted_forms))
    for form in formset.forms:
        pk = form.instance.pk
        if id(form) in deleted:
            if pk is not None:
                edits.append(RecordEdit(pk=pk, values={}, delete=True))
        elif pk is None:
            if form.has_changed():
                edits.append(RecordEdit(pk=None, values=_model_values(form)))
        elif form.changed_data:
            edits.append(RecordEdit(pk=pk, values=form.changed_values()))
    return edits


def _model_values(form: forms.ModelForm) -> dict[str, Any]:
    # Inline formsets append their foreign key ("person") to Meta.fields;
    # the service sets that itself.
    return {
        name: form.cleaned_data[name] for name in form._meta.fields if name != "person"
    }


RECORD_GONE = _(
    "A document in this form was deleted elsewhere meanwhile: its changes "
    "cannot be saved. Your other values are kept below; remove that row or "
    "open the card again."
)


@dataclass(frozen=True)
class Conflict:
    """A field this user changed that someone else changed too since the
    page was rendered: both values, shown side by side."""

    label: str
    yours: str
    stored: str
    # The field's name in the page's form ("person-birth_place"): the
    # stored value is shown beside it too.
    html_name: str = ""


def _shown(form: forms.Form, name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(form.fields[name], CountryField):
        return f"{country_name(value)} ({value})"
    choices = getattr(form.fields[name], "choices", None) or []
    labels = {
        key: label for key, label in choices if not isinstance(label, list | tuple)
    }
    return str(labels.get(value, value))


class GuestProfileForms:
    """The guest page's forms together: person, stay, and the documents.

    ``version`` is the profile's version as stored now (an ETag,
    ``reservations/etags.py``); the page sends back the one it was rendered
    with, so a save over a newer version can tell what changed meanwhile."""

    def __init__(
        self,
        *,
        data=None,
        person: Person | None,
        stay: Stay | None,
        reservation: Reservation,
    ):
        person = person or Person()
        self.person = PersonForm(data, instance=person, prefix="person")
        stay_initial = {}
        if stay is None:
            stay_initial = {
                "registration_from": reservation.arrival,
                "registration_to": reservation.departure,
            }
        self.stay = StayForm(
            data, instance=stay or Stay(), prefix="stay", initial=stay_initial
        )
        self.records = {
            name: formset_class(data, instance=person, prefix=name)
            for name, formset_class in RECORD_FORMSETS.items()
        }
        self.data = data
        self.version = person_etag(person) if person.pk else ""

    @property
    def all(self) -> list:
        return [self.person, self.stay, *self.records.values()]

    def is_valid(self) -> bool:
        return all([f.is_valid() for f in self.all])  # validate every form

    def new_person_values(self) -> dict[str, Any]:
        return _model_values(self.person)

    def new_stay_values(self) -> dict[str, Any]:
        return _model_values(self.stay)

    def record_edits(self) -> dict[str, list[RecordEdit]]:
        return {name: record_edits(fs) for name, fs in self.records.items()}

    def unshown_errors(self) -> list[str]:
        """Errors no field of the page shows: a record's hidden id that no
        longer matches a stored row (deleted meanwhile by someone else)."""
        errors = []
        for formset in self.records.values():
            for form in formset.forms:
                if form.is_bound and any(
                    form[f.name].errors for f in form.hidden_fields()
                ):
                    errors.append(RECORD_GONE)
        return list(dict.fromkeys(errors))

    # --- Concurrent changes -------------------------------------------------

    def _existing(self) -> Iterator[forms.ModelForm]:
        """The bound forms of stored rows (new rows cannot be stale)."""
        yield self.person
        yield self.stay
        for formset in self.records.values():
            yield from (f for f in formset.forms if f.instance.pk is not None)

    def is_stale(self) -> bool:
        """The page was rendered from an older version of the profile."""
        sent = self.data.get("version") if self.data is not None else None
        return bool(self.version) and sent is not None and sent != self.version

    def conflicts(self) -> list[Conflict]:
        """Fields this user changed that were changed elsewhere meanwhile."""
        found = []
        for form in self._existing():
            elsewhere = set(form.changed_elsewhere())
            for name in form.changed_data:
                if name in elsewhere:
                    field = form.fields[name]
                    stored = form.get_initial_for_field(field, name)
                    yours = field.to_python(form[name].data) if form.is_bound else ""
                    found.append(
                        Conflict(
                            label=str(form[name].label),
                            yours=_shown(form, name, _plain(yours)),
                            stored=_shown(form, name, _plain(stored)),
                            html_name=form.add_prefix(name),
                        )
                    )
        return found

    def rebased_data(self):
        """The posted page moved onto the profile as stored now: what this
        user changed stays as typed; every other field shows the stored
        value; the version and the shown values become the current ones, so
        the next save writes exactly this user's changes. Record lists the
        user did not touch are left out, to be shown fresh (EMIS may have
        added a document)."""
        data = self.data.copy()
        data["version"] = self.version
        for form in self._existing():
            typed = set(form.changed_data)
            for name in form.fields:
                stored = form.stored_as_data(name)
                keys = [form.add_initial_prefix(name)]
                if name not in typed:
                    keys.append(form.add_prefix(name))
                for key in keys:
                    if stored is None:
                        data.pop(key, None)
                    else:
                        data[key] = stored
        return data

    def untouched_records(self) -> list[str]:
        """Record lists (documents, visas, migration card) the user did not
        change: a refresh shows them as stored."""
        return [
            name
            for name, formset in self.records.items()
            if not any(f.has_changed() for f in formset.forms)
            and not formset.deleted_forms
        ]

    def mark_conflicts(self, conflicts: list[Conflict]) -> None:
        """Beside each field changed here and elsewhere: the stored value
        (the table at the top lists them all). Fields are per form
        instance, so the note stays on this page."""
        stored = {c.html_name: c.stored for c in conflicts}
        for form in self._existing():
            for name, field in form.fields.items():
                value = stored.get(form.add_prefix(name))
                if value is not None:
                    note = _("Stored now: %(value)s") % {"value": value}
                    field.help_text = " ".join(filter(None, [str(field.help_text), note]))

    def show_stored(self, names: list[str], person: Person) -> None:
        for name in names:
            self.records[name] = RECORD_FORMSETS[name](instance=person, prefix=name)


def _plain(value: Any) -> Any:
    # Dates as the page's date inputs show them (дд.мм.гггг); choices by
    # their code.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return formats.localize_input(
            value, formats.get_format("DATE_INPUT_FORMATS")[0]
        )
    return value.isoformat() if hasattr(value, "isoformat") else value
