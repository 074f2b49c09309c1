"""API shapes of reservations, stays and persons. They validate and shape;
writes and their validation (the models' ``clean``) are in
``reservations.services``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from legal_entities.models import LegalEntity
from pms.masking import mask_number
from pms.roles import can_see_document_numbers

from . import services
from .aliases import person_id_resolve
from .checks import stay_checks
from .choices import NAME_PARTS, PERSON_DETAILS
from .models import IdentityDocument, MigrationCard, Person, Reservation, Stay, Visa
from .name_scripts import policy_script
from .validators import normalize_phone

PERSON_SCALARS = [*NAME_PARTS, *PERSON_DETAILS, "discount"]
STAY_FIELDS = ["registration_from", "registration_to", "card_issued"]
REQUIRED = serializers.Field.default_error_messages["required"]


def _phone(value: str) -> str:
    return normalize_phone(value) if value else value


def _upper(value: str) -> str:
    return value.upper() if value else value


def _sees_numbers(serializer: serializers.Serializer) -> bool:
    request = serializer.context.get("request")
    return request is not None and can_see_document_numbers(request.user)


# --- Reservations -----------------------------------------------------------


class ReservationSerializer(serializers.ModelSerializer):
    legal_entity = serializers.PrimaryKeyRelatedField(
        queryset=LegalEntity.objects.all()
    )
    guests_count = serializers.SerializerMethodField()

    class Meta:
        model = Reservation
        fields = [
            "id",
            "legal_entity",
            "status",
            "arrival",
            "departure",
            *Reservation.REQUEST_FIELDS,
            "guests_count",
        ]

    def get_guests_count(self, obj: Reservation) -> int:
        # Annotated by the view's queryset; a just-created row has none.
        count = getattr(obj, "guests_count", None)
        return obj.stays.count() if count is None else count

    def validate_phone(self, value: str) -> str:
        return _phone(value)

    def create(self, validated_data: dict[str, Any]) -> Reservation:
        return services.reservation_create(values=validated_data)

    def update(self, instance: Reservation, validated_data: dict[str, Any]):
        services.reservation_update(reservation_id=instance.pk, values=validated_data)
        instance.refresh_from_db()
        return instance


# --- Persons ------------------------------------------------------------------


def _name_part(suffix: str, part: str) -> serializers.CharField:
    return serializers.CharField(
        source=f"{part}_{suffix}", max_length=200, required=False, allow_blank=True
    )


class LatinNameSerializer(serializers.Serializer):
    """``{"surname", "given_names", "patronymic"}`` as printed in Latin."""

    surname = _name_part("latin", "surname")
    given_names = _name_part("latin", "given_names")
    patronymic = _name_part("latin", "patronymic")


class CyrillicNameSerializer(serializers.Serializer):
    """``{"surname", "given_names", "patronymic"}`` in Cyrillic."""

    surname = _name_part("cyrillic", "surname")
    given_names = _name_part("cyrillic", "given_names")
    patronymic = _name_part("cyrillic", "patronymic")


# A model field's place in the request: "surname_latin" is "latin.surname".
_SCRIPTS = {"latin": LatinNameSerializer, "cyrillic": CyrillicNameSerializer}
_API_PATHS = {
    field.source: f"{script}.{name}"
    for script, names in _SCRIPTS.items()
    for name, field in names().fields.items()
}


@contextmanager
def _person_paths() -> Iterator[None]:
    """Re-raise a service's errors on the person's model fields under their
    paths in the request (``pms.api`` nests dotted paths)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        errors = {_API_PATHS.get(k, k): v for k, v in exc.error_dict.items()}
        raise ValidationError(errors) from exc


class _NumberedSerializer(serializers.ModelSerializer):
    """A document-like row: ``id`` matches an existing row on write, and the
    number is masked for roles that may not see it."""

    id = serializers.IntegerField(required=False, min_value=1)
    required_on_create: tuple[str, ...] = ("number",)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not _sees_numbers(self):
            data["number"] = mask_number(data["number"])
        return data

    def validate_issuing_country(self, value: str) -> str:
        return _upper(value)

    def validate(self, attrs):
        # PATCH is partial all the way down, so DRF skips missing required
        # fields even in a new item: ask for them here.
        if attrs.get("id") is None:
            missing = [f for f in self.required_on_create if f not in attrs]
            if missing:
                raise serializers.ValidationError({f: [REQUIRED] for f in missing})
        return attrs


class DocumentSerializer(_NumberedSerializer):
    required_on_create = ("kind", "number")

    class Meta:
        model = IdentityDocument
        fields = ["id", *IdentityDocument.EDIT_FIELDS, "source"]


class VisaSerializer(_NumberedSerializer):
    class Meta:
        model = Visa
        fields = ["id", *Visa.EDIT_FIELDS]


class MigrationCardSerializer(_NumberedSerializer):
    id = None  # one card per person: no id to match

    class Meta:
        model = MigrationCard
        fields = MigrationCard.EDIT_FIELDS

    def validate(self, attrs):
        # A new card needs a number: PersonSerializer checks, knowing if
        # there is one already.
        return attrs


class PersonFieldsSerializer(serializers.ModelSerializer):
    """A person's own fields, shared by the person endpoint and new guests."""

    latin = LatinNameSerializer(source="*", required=False)
    cyrillic = CyrillicNameSerializer(source="*", required=False)

    class Meta:
        model = Person
        fields = [*PERSON_SCALARS[:3], "latin", "cyrillic", *PERSON_SCALARS[3:]]

    def validate_phone(self, value: str) -> str:
        return _phone(value)

    def validate_citizenship(self, value: str) -> str:
        return _upper(value)

    def validate_country(self, value: str) -> str:
        return _upper(value)


class PersonSerializer(PersonFieldsSerializer):
    documents = DocumentSerializer(many=True, required=False)
    visas = VisaSerializer(many=True, required=False)
    migration_card = MigrationCardSerializer(required=False, allow_null=True)

    class Meta(PersonFieldsSerializer.Meta):
        fields = [
            "id",
            *PersonFieldsSerializer.Meta.fields,
            "documents",
            "visas",
            "migration_card",
            "emis_version",
            "transliterated_parts",
            "updated_at",
        ]
        read_only_fields = ["emis_version", "transliterated_parts", "updated_at"]

    def validate_documents(self, items):
        return self._known_ids(items, {d.pk for d in self.instance.documents.all()})

    def validate_visas(self, items):
        return self._known_ids(items, {v.pk for v in self.instance.visas.all()})

    def validate_migration_card(self, value):
        exists = hasattr(self.instance, "migration_card")  # selected with it
        if value is not None and not exists and "number" not in value:
            raise serializers.ValidationError({"number": [REQUIRED]})
        return value

    def _known_ids(self, items: list[dict], known: set[int]) -> list[dict]:
        """Each ``id`` must be one of this person's rows, at most once. Errors
        are keyed by item index, like DRF's own list errors."""
        errors: dict[int, dict] = {}
        seen: set[int] = set()
        for index, item in enumerate(items):
            pk = item.get("id")
            if pk is not None and (pk not in known or pk in seen):
                message = _("No such item of this person: %(id)s.") % {"id": pk}
                errors[index] = {"id": [message]}
            seen.add(pk)
        if errors:
            raise serializers.ValidationError(errors)
        return items

    def update(self, instance: Person, validated_data: dict[str, Any]) -> Person:
        related = {
            key: validated_data.pop(key)
            for key in ("documents", "visas", "migration_card")
            if key in validated_data
        }
        with _person_paths():
            services.person_apply(
                person_id=instance.pk,
                values=validated_data,
                keep_masked=not _sees_numbers(self),
                user=self.context["request"].user,
                **related,
            )
        return instance


# --- Stays (guests of a reservation) -------------------------------------------


@extend_schema_field(
    inline_serializer(
        "StayWarning",
        {"code": serializers.CharField(), "message": serializers.CharField()},
        many=True,
    )
)
class WarningsField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, stay: Stay) -> list[dict[str, str]]:
        # The name policies' scripts by legal entity, read once for a list
        # (``name_scripts`` in the context), else for this stay alone.
        scripts = self.context.get("name_scripts")
        entity = stay.reservation.legal_entity_id
        script = policy_script(entity) if scripts is None else scripts.get(entity)
        return [w.as_dict() for w in stay_checks(stay, name_script=script).warnings]


class StaySerializer(serializers.ModelSerializer):
    person_id = serializers.IntegerField(read_only=True)
    surname = serializers.CharField(source="person.surname", read_only=True)
    given_names = serializers.CharField(source="person.given_names", read_only=True)
    patronymic = serializers.CharField(source="person.patronymic", read_only=True)
    warnings = WarningsField()

    class Meta:
        model = Stay
        fields = [
            "id",
            "person_id",
            "surname",
            "given_names",
            "patronymic",
            *STAY_FIELDS,
            "warnings",
        ]

    def update(self, instance: Stay, validated_data: dict[str, Any]) -> Stay:
        services.stay_update(stay_id=instance.pk, values=validated_data)
        instance.refresh_from_db()
        return instance


class GuestCreateSerializer(PersonFieldsSerializer):
    """POST to a reservation's guests: ``{"surname": ...}`` (plus any person
    fields) creates a person, ``{"person_id": ...}`` attaches an existing one;
    registration dates default to the reservation's."""

    person_id = serializers.IntegerField(required=False, min_value=1)
    registration_from = serializers.DateField(required=False)
    registration_to = serializers.DateField(required=False)
    card_issued = serializers.BooleanField(required=False)

    class Meta(PersonFieldsSerializer.Meta):
        fields = ["person_id", *PersonFieldsSerializer.Meta.fields, *STAY_FIELDS]
        extra_kwargs = {"surname": {"required": False}}

    def validate(self, attrs):
        if "person_id" in attrs:
            attrs["person"] = self._existing_person(attrs)
        elif not attrs.get("surname"):
            raise serializers.ValidationError({"surname": [REQUIRED]})
        return attrs

    def _existing_person(self, attrs) -> Person:
        if set(attrs) - {"person_id", *STAY_FIELDS}:
            message = _("Give either person_id or a new person's fields, not both.")
            raise serializers.ValidationError({"person_id": [message]})
        # A merged person's old ID attaches the survivor.
        person = Person.objects.filter(pk=person_id_resolve(attrs["person_id"])).first()
        if person is None:
            message = _("No person with ID %(id)s.") % {"id": attrs["person_id"]}
            raise serializers.ValidationError({"person_id": [message]})
        return person

    def create(self, validated_data: dict[str, Any]) -> Stay:
        validated_data.pop("person_id", None)
        stay_values = {
            k: validated_data.pop(k) for k in STAY_FIELDS if k in validated_data
        }
        person = validated_data.pop("person", None)
        with _person_paths():
            return services.guest_add(
                reservation=self.context["reservation"],
                person=person,
                person_values=None if person else validated_data,
                stay_values=stay_values,
                user=self.context["request"].user,
            )
