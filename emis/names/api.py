"""REST API of the name policy.

- ``GET/PUT emis/name-policy/`` (admin): the policy and its per-legal-entity
  overrides. ``overrides`` is optional in a PUT; when sent it replaces the
  whole set (an entity left out loses its override).
- ``GET/POST emis/name-policy/reapply/`` (admin): how many profiles the
  policy would change / start re-applying it; ``GET .../reapply/<id>/`` its
  progress.
- ``POST emis/name-policy/preview/`` (front desk): main names for a name
  under the policy in force; a Latin-only part is read in its role
  (surname, given name, patronymic) and may come with ``alternatives``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emis.models import EmisJob, NamePolicy, NamePolicyOverride
from emis.names import reapply
from emis.names.policy import PARTS, resolve_names
from emis.tasks import reapply_name_policy
from legal_entities.models import LegalEntity
from pms.api import validated
from pms.roles import IsAdmin, IsFrontDesk

F = TypeVar("F", bound=Callable[..., Any])


def _schema(operation_id: str, **kwargs: Any) -> Callable[[F], F]:
    """The OpenAPI entry of an endpoint here: all are filed under one tag."""
    return extend_schema(operation_id=operation_id, tags=["name policy"], **kwargs)


class OverrideSerializer(serializers.ModelSerializer):
    legal_entity = serializers.PrimaryKeyRelatedField(
        queryset=LegalEntity.objects.all()
    )

    class Meta:
        model = NamePolicyOverride
        fields = ["legal_entity", "script", "letter_case", "latin_standard"]


class NamePolicySerializer(serializers.ModelSerializer):
    overrides = OverrideSerializer(many=True, required=False)

    class Meta:
        model = NamePolicy
        fields = ["script", "letter_case", "latin_standard", "overrides", "updated_at"]
        read_only_fields = ["updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        rows = NamePolicyOverride.objects.order_by("legal_entity_id")
        data["overrides"] = OverrideSerializer(rows, many=True).data
        return data

    def validate_overrides(self, value):
        entities = [row["legal_entity"].pk for row in value]
        if len(entities) != len(set(entities)):
            raise serializers.ValidationError(
                _("Each legal entity may appear only once.")
            )
        return value

    @transaction.atomic
    def update(self, instance, validated_data):
        overrides = validated_data.pop("overrides", None)
        instance = super().update(instance, validated_data)
        if overrides is not None:
            _replace_overrides(overrides)
        return instance


def _replace_overrides(rows: list[dict]) -> None:
    keep = [row["legal_entity"].pk for row in rows]
    NamePolicyOverride.objects.exclude(legal_entity_id__in=keep).delete()
    for row in rows:
        entity = row.pop("legal_entity")
        NamePolicyOverride.objects.update_or_create(legal_entity=entity, defaults=row)


class NamePolicyView(APIView):
    permission_classes = [IsAdmin]

    @_schema("emis_name_policy_retrieve", responses=NamePolicySerializer)
    def get(self, request: Request) -> Response:
        return Response(NamePolicySerializer(NamePolicy.load()).data)

    @_schema(
        "emis_name_policy_update",
        request=NamePolicySerializer,
        responses=NamePolicySerializer,
    )
    def put(self, request: Request) -> Response:
        serializer = NamePolicySerializer(NamePolicy.load(), data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save(updated_by=request.user)
        return Response(serializer.data)


# --- Re-apply -------------------------------------------------------------------

ReapplyJobSerializer = inline_serializer(
    "NamePolicyReapplyJob",
    fields={
        "id": serializers.IntegerField(),
        "status": serializers.CharField(help_text="queued, running, succeeded, failed"),
        "progress_done": serializers.IntegerField(),
        "progress_total": serializers.IntegerField(),
        "percent": serializers.IntegerField(),
        "persons_changed": serializers.IntegerField(),
        "error": serializers.CharField(),
        "skipped_person_ids": serializers.CharField(),
    },
)
ReapplyPlanSerializer = inline_serializer(
    "NamePolicyReapplyPlan",
    fields={
        "would_change": serializers.IntegerField(),
        "job": inline_serializer(
            "NamePolicyReapplyActiveJob",
            fields={
                "id": serializers.IntegerField(),
                "status": serializers.CharField(),
            },
            allow_null=True,
        ),
    },
)


class ReapplyView(APIView):
    permission_classes = [IsAdmin]

    @_schema("emis_name_policy_reapply_plan", responses=ReapplyPlanSerializer)
    def get(self, request: Request) -> Response:
        job = reapply.active_job()
        return Response(
            {
                "would_change": reapply.would_change_count(),
                "job": {"id": job.pk, "status": job.status} if job else None,
            }
        )

    @_schema(
        "emis_name_policy_reapply_start",
        request=None,
        responses={202: ReapplyJobSerializer},
    )
    def post(self, request: Request) -> Response:
        job, created = reapply.reapply_job_get_or_create(user=request.user)
        if created:
            reapply_name_policy.delay_on_commit(job.pk)
        job.refresh_from_db()
        return Response(reapply.job_progress(job), status=status.HTTP_202_ACCEPTED)


class ReapplyJobView(APIView):
    permission_classes = [IsAdmin]

    @_schema("emis_name_policy_reapply_job", responses=ReapplyJobSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(EmisJob, pk=job_id, kind=EmisJob.Kind.REAPPLY_NAMES)
        return Response(reapply.job_progress(job))


# --- Preview --------------------------------------------------------------------


class NamePartSerializer(serializers.Serializer):
    cyrillic = serializers.CharField(
        max_length=200, allow_null=True, allow_blank=True, required=False
    )
    latin = serializers.CharField(
        max_length=200, allow_null=True, allow_blank=True, required=False
    )


class PreviewRequestSerializer(serializers.Serializer):
    surname = NamePartSerializer()
    given_names = NamePartSerializer(required=False, allow_null=True)
    patronymic = NamePartSerializer(required=False, allow_null=True)
    legal_entity = serializers.PrimaryKeyRelatedField(
        queryset=LegalEntity.objects.all(), required=False, allow_null=True
    )

    def validate_surname(self, value):
        if not (value.get("cyrillic") or value.get("latin")):
            raise serializers.ValidationError(
                _("Give the surname in at least one script.")
            )
        return value


class PreviewResponseSerializer(serializers.Serializer):
    surname = serializers.CharField()
    given_names = serializers.CharField()
    patronymic = serializers.CharField()
    transliterated = serializers.ListField(child=serializers.ChoiceField(choices=PARTS))
    alternatives = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=(
            "For a transliterated part: the other spellings the name lexicon "
            "knows for that Latin (Наталия beside Наталья), for staff to compare."
        ),
    )


class PreviewView(APIView):
    permission_classes = [IsFrontDesk]

    @_schema(
        "emis_name_policy_preview",
        description=(
            "The main names the policy would choose for these name forms. "
            "A rule the schema cannot state (a 400): the surname is given "
            "in at least one script (alphabet)."
        ),
        request=PreviewRequestSerializer,
        responses=PreviewResponseSerializer,
    )
    def post(self, request: Request) -> Response:
        data = validated(PreviewRequestSerializer(data=request.data))
        forms = {part: data.get(part) or {} for part in PARTS}
        entity = data.get("legal_entity")
        resolved = resolve_names(
            latin={p: f.get("latin") for p, f in forms.items()},
            cyrillic={p: f.get("cyrillic") for p, f in forms.items()},
            legal_entity_id=entity.pk if entity else None,
        )
        return Response(
            {
                **resolved.main,
                "transliterated": resolved.transliterated,
                "alternatives": resolved.alternatives,
            }
        )


_routes = [
    path("", NamePolicyView.as_view(), name="emis-name-policy"),
    path("preview/", PreviewView.as_view(), name="emis-name-policy-preview"),
    path("reapply/", ReapplyView.as_view(), name="emis-name-policy-reapply"),
    path(
        "reapply/<id:job_id>/",
        ReapplyJobView.as_view(),
        name="emis-name-policy-reapply-job",
    ),
]
urlpatterns = [path("emis/name-policy/", include(_routes))]
