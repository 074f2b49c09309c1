"""Reservations ("заявки"), persons with persistent IDs, their documents, and
the stays that tie a person to a reservation.

The person ID is the only key shared with EMIS. It comes from the primary key
sequence (AUTOINCREMENT on SQLite, a sequence on PostgreSQL), so it is never
reused; persons are protected from deletion while any stay refers to them and
deleting a reservation deletes its stays, never its persons.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import rules
from .choices import (  # noqa: F401 (re-exported; each model names its own too)
    NAME_FIELDS,
    NAME_PARTS,
    ChangeEntity,
    ChangeSource,
    ContactMethod,
    DocumentKind,
    DocumentSource,
    PersonSex,
    ReservationStatus,
    VisaEntries,
)
from .document_key import number_key_field, number_key_index
from .rules import StaffRules
from .validators import validate_country_code, validate_phone


class Reservation(StaffRules, models.Model):
    Status = ReservationStatus

    legal_entity = models.ForeignKey(
        "legal_entities.LegalEntity",
        on_delete=models.PROTECT,
        related_name="reservations",
        verbose_name=_("legal entity"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TENTATIVE
    )
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    contact_method = models.CharField(
        _("contact method"), max_length=20, choices=ContactMethod.choices, blank=True
    )
    organization = models.CharField(_("organization"), max_length=255, blank=True)
    payer = models.CharField(_("payer"), max_length=255, blank=True)
    agency = models.CharField(_("agency"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The request ("Заявка") details, as the tab and the API list them.
    REQUEST_FIELDS = (
        "phone",
        "email",
        "contact_method",
        "organization",
        "payer",
        "agency",
        "note",
    )
    field_rules = {"note": (rules.check_text, rules.check_note)}
    order_rules = (rules.ARRIVAL_ORDER,)

    class Meta:
        ordering = ["-arrival", "-id"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [rules.ARRIVAL_ORDER.constraint("reservation_departure_after_arrival")]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reservations:card", args=[self.pk])

    def clean_record(self) -> None:
        # Only a chosen entity, and only when this write chooses it: one kept
        # as stored may have been switched off since. (Not a ``field_rules``
        # rule: those read the value, and a missing entity is not one.)
        if self.legal_entity_id is not None and self.writes("legal_entity"):
            try:
                rules.check_legal_entity_active(self.legal_entity)
            except ValidationError as exc:
                raise ValidationError({"legal_entity": exc}) from exc


class Person(StaffRules, models.Model):
    """A guest profile. ``id`` is the persistent "ID персоны" EMIS keys on.

    The main name fields are what the card shows; they follow the name policy
    when EMIS data is applied. The Latin and Cyrillic forms are stored as
    received from the document and never regenerated from each other.
    """

    Sex = PersonSex

    surname = models.CharField(_("surname"), max_length=200)
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=200, blank=True)
    surname_latin = models.CharField(_("surname (Latin)"), max_length=200, blank=True)
    given_names_latin = models.CharField(_("given names (Latin)"), max_length=200, blank=True)
    patronymic_latin = models.CharField(_("patronymic (Latin)"), max_length=200, blank=True)
    surname_cyrillic = models.CharField(_("surname (Cyrillic)"), max_length=200, blank=True)
    given_names_cyrillic = models.CharField(
        _("given names (Cyrillic)"), max_length=200, blank=True
    )
    patronymic_cyrillic = models.CharField(
        _("patronymic (Cyrillic)"), max_length=200, blank=True
    )
    # Name parts ("surname", ...) whose main value was derived by
    # transliteration, not read from a document: staff should check them.
    transliterated_parts = models.JSONField(default=list, blank=True)
    # Who gave each main name part: "staff" typed it, "emis" sent it in this
    # script, the "policy" derived it (transliterated). A policy re-apply
    # rewrites only what EMIS or the policy gave, never what staff typed.
    name_sources = models.JSONField(default=dict, blank=True, editable=False)

    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_place = models.CharField(_("birth place"), max_length=200, blank=True)
    citizenship = models.CharField(
        _("citizenship"), max_length=3, blank=True, validators=[validate_country_code]
    )
    country = models.CharField(
        _("country"), max_length=3, blank=True, validators=[validate_country_code]
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    discount = models.DecimalField(
        _("discount, %"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    # What EMIS last gave us: the version orders deliveries (stale ones are
    # refused) and the hash tells "unchanged" from "applied".
    emis_version = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    emis_content_hash = models.CharField(max_length=64, blank=True, editable=False)
    emis_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The value EMIS last gave each field (as text): a field that no longer
    # holds it was changed by staff since, and a new EMIS value for it is a
    # conflict to decide, never a silent revert (emis/conflicts.py).
    emis_values = models.JSONField(default=dict, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    field_rules = {
        "birth_date": (rules.check_birth_date,),
        **{name: (rules.check_name,) for name in NAME_FIELDS},
    }

    class Meta:
        ordering = ["surname", "given_names", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["surname"]), models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return self.full_name or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_names, self.patronymic) if p)

    @property
    def is_foreigner(self) -> bool:
        return bool(self.citizenship) and self.citizenship.upper() != "RUS"


class IdentityDocument(StaffRules, models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="documents", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    series = models.CharField(_("series"), max_length=200, blank=True)
    number = models.CharField(_("number"), max_length=200)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    issuer_code = models.CharField(_("issuer code"), max_length=200, blank=True)
    issuing_country = models.CharField(
        _("issuing country"), max_length=3, blank=True, validators=[validate_country_code]
    )
    source = models.CharField(
        _("source"), max_length=10, choices=DocumentSource.choices, default=DocumentSource.MANUAL
    )
    number_key = number_key_field()  # finds duplicate persons
    created_at = models.DateTimeField(auto_now_add=True)
    # What EMIS last gave each field (see Person.emis_values).
    emis_values = models.JSONField(default=dict, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # What staff edit on the guest page and through the API, in that order.
    EDIT_FIELDS = (
        "kind",
        "series",
        "number",
        "issue_date",
        "expiry_date",
        "issuer",
        "issuer_code",
        "issuing_country",
    )
    order_rules = (rules.Order("issue_date", "expiry_date", rules.EXPIRY_ORDER_ERROR),)

    class Meta:
        ordering = ["id"]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        indexes = [models.Index(fields=["number"]), number_key_index()]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}"

    def clean_record(self) -> None:
        """A Russian passport typed as "4510 123456" (number) or "45 10"
        (series) is stored as EMIS sends it: series "4510", number "123456"."""
        passport = self.kind == DocumentKind.PASSPORT_RF
        if passport and any(map(self.writes, ("kind", "series", "number"))):
            self.series, self.number = rules.rf_passport(self.series, self.number)


class Visa(StaffRules, models.Model):
    Entries = VisaEntries

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="visas", verbose_name=_("person")
    )
    series = models.CharField(_("series"), max_length=200, blank=True)
    number = models.CharField(_("number"), max_length=200)
    category = models.CharField(_("category"), max_length=200, blank=True)
    entries = models.CharField(_("entries"), max_length=10, choices=Entries.choices, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    issuing_country = models.CharField(
        _("issuing country"), max_length=3, blank=True, validators=[validate_country_code]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What EMIS last gave each field (see Person.emis_values).
    emis_values = models.JSONField(default=dict, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    EDIT_FIELDS = (  # as IdentityDocument.EDIT_FIELDS
        "series",
        "number",
        "category",
        "entries",
        "valid_from",
        "valid_to",
        "issuing_country",
    )
    order_rules = (rules.Order("valid_from", "valid_to", rules.VISA_ORDER_ERROR),)

    class Meta:
        ordering = ["valid_from", "id"]
        verbose_name = _("visa")
        verbose_name_plural = _("visas")

    def __str__(self) -> str:
        return f"{_('Visa')} {self.valid_from or ''}–{self.valid_to or ''}"


class MigrationCard(StaffRules, models.Model):
    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="migration_card", verbose_name=_("person")
    )
    series = models.CharField(_("series"), max_length=200, blank=True)
    number = models.CharField(_("number"), max_length=200)
    entry_date = models.DateField(_("entry date"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    visit_purpose = models.CharField(_("purpose of visit"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # What EMIS last gave each field (see Person.emis_values).
    emis_values = models.JSONField(default=dict, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    EDIT_FIELDS = ("series", "number", "entry_date", "valid_to", "visit_purpose")
    order_rules = (rules.Order("entry_date", "valid_to", rules.CARD_ORDER_ERROR),)

    class Meta:
        verbose_name = _("migration card")
        verbose_name_plural = _("migration cards")

    def __str__(self) -> str:
        return str(_("Migration card"))


class Stay(StaffRules, models.Model):
    """A person in a reservation ("ID: 375942" on the Гости tab)."""

    reservation = models.ForeignKey(
        Reservation, on_delete=models.CASCADE, related_name="stays", verbose_name=_("reservation")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="stays", verbose_name=_("person")
    )
    registration_from = models.DateField(_("registration from"))
    registration_to = models.DateField(_("registration to"))
    card_issued = models.BooleanField(_("card issued"), default=False)
    organization = models.CharField(_("organization"), max_length=255, blank=True)
    payer = models.CharField(_("payer"), max_length=255, blank=True)
    agency = models.CharField(_("agency"), max_length=255, blank=True)
    contact_method = models.CharField(
        _("contact method"), max_length=20, choices=ContactMethod.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    field_rules = {"note": (rules.check_text, rules.check_note)}
    order_rules = (rules.REGISTRATION_ORDER,)

    class Meta:
        ordering = ["id"]
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.UniqueConstraint(fields=["reservation", "person"], name="stay_unique_person"),
            rules.REGISTRATION_ORDER.constraint("stay_registration_to_after_from"),
        ]

    def __str__(self) -> str:
        return f"ID: {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reservations:guest", args=[self.reservation_id, self.pk])


class PersonChange(models.Model):
    """One changed field of a person: the "История изменений" of the card."""

    Source, Entity = ChangeSource, ChangeEntity

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="changes")
    # What changed: the person, or one of their records (``reservations.history``
    # builds these columns for every writer).
    entity = models.CharField(
        max_length=20, choices=Entity.choices, default=Entity.PERSON
    )
    # The record's id; None for the person and for a record EMIS created in a
    # bulk write (its id is not read back).
    entity_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Which record, stably: "passport_rf 4510 ****56" (never a full number).
    entity_label = models.CharField(max_length=200, blank=True)
    # The model field: "surname", "expiry_date", ...
    field = models.CharField(max_length=200)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    # Holds a document number: masked for roles that may not see numbers.
    sensitive = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change")
        verbose_name_plural = _("change history")

    def __str__(self) -> str:
        return f"{self.entity} {self.entity_label} {self.field}: {self.source}"


from .aliases import PersonAlias  # noqa: E402, F401 (a model: with its lookups)
