"""Forms of the guest profile page: person, stay, documents (see the
``TrackedChangesMixin`` in ``forms`` for how concurrent changes survive)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .forms import (
    DateInput,
    TrackedChangesMixin,
    clean_phone_value,
    country_field,
    keep_current_choice,
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
        labels = {"email": "E-Mail"}
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_current_choice(self, ["country", "citizenship"])
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
        keep_current_choice(self, ["issuing_country"])


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


_formset_options = {"extra": 1, "can_delete": True, "can_delete_extra": False}
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


class GuestProfileForms:
    """The guest page's forms together: person, stay, and the documents."""

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
