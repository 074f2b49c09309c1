"""The fixed vocabularies of reservations' models: name parts, a
reservation's status, a person's sex, contact methods, document kinds and
sources, a visa's entries, and what wrote a history row and what it is about
(imported by ``models`` and re-exported there)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

NAME_PARTS = ("surname", "given_names", "patronymic")
# A person's own details besides the names, in the API's order (the
# serializer) and all personal data (what an erasure blanks).
PERSON_DETAILS = (
    "sex",
    "birth_date",
    "birth_place",
    "citizenship",
    "country",
    "phone",
    "email",
    "address",
)
# The main names and both scripts' forms: all follow ``rules.check_name``.
NAME_FIELDS = tuple(
    f"{part}{suffix}" for part in NAME_PARTS for suffix in ("", "_latin", "_cyrillic")
)


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    MESSENGER = "messenger", _("Messenger")


class DocumentKind(models.TextChoices):
    PASSPORT_RF = "passport_rf", _("Passport of the Russian Federation")
    FOREIGN_PASSPORT_RF = "foreign_passport_rf", _("Russian international passport")
    NATIONAL_PASSPORT = "national_passport", _("National passport")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    TEMPORARY_RESIDENCE_PERMIT = (
        "temporary_residence_permit",
        _("Temporary residence permit"),
    )
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    ID_CARD = "id_card", _("ID card")
    OTHER = "other", _("Other document")


class DocumentSource(models.TextChoices):
    RFID = "rfid", _("RFID chip")
    MRZ = "mrz", _("MRZ")
    VISUAL = "visual", _("Visual zone")
    MANUAL = "manual", _("Entered manually")


class ChangeSource(models.TextChoices):
    WEBHOOK = "webhook", _("EMIS (saved in EMIS)")
    PULL = "pull", _("EMIS (requested)")
    SYNC = "sync", _("EMIS (background sync)")
    MANUAL = "manual", _("Manual edit")
    POLICY = "policy", _("Name policy")
    # A conflict between the profile and EMIS decided by staff
    # (emis/conflicts.py): EMIS's value taken, or the profile's kept.
    KEEP_EMIS = "keep_emis", _("EMIS conflict: EMIS value taken")
    KEEP_PROFILE = "keep_prof", _("EMIS conflict: profile value kept")
    MERGE = "merge", _("Merge of duplicates")


class ChangeEntity(models.TextChoices):
    PERSON = "person", _("person")
    DOCUMENT = "document", _("identity document")
    VISA = "visa", _("visa")
    MIGRATION_CARD = "migration_card", _("migration card")


class ReservationStatus(models.TextChoices):
    TENTATIVE = "tentative", _("Tentative")
    CONFIRMED = "confirmed", _("Confirmed")
    CHECKED_IN = "checked_in", _("Checked in")
    CHECKED_OUT = "checked_out", _("Checked out")
    CANCELLED = "cancelled", _("Cancelled")


class PersonSex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class VisaEntries(models.TextChoices):
    SINGLE = "single", _("Single entry")
    DOUBLE = "double", _("Double entry")
    MULTIPLE = "multiple", _("Multiple entry")
