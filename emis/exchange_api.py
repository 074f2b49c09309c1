"""REST API of the EMIS exchange: the webhook EMIS calls, and pull jobs.

The webhook is a plain Django view (it must see the raw body for the
signature and answer exactly the contract's table); the pull endpoints are
DRF views for front desk. Without a broker (embedded) a ``GET`` of a pull
job works its attempt when one is due, as the dialog's look does
(emis/pull_schedule.py): an API client polls the job to see it through.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emis.models import EmisJob
from emis.pull import (
    JOB_ENDED,
    JOB_ENDED_MESSAGE,
    job_as_dict,
    job_cancel,
    job_enqueue_pull,
)
from emis.pull_schedule import job_advance
from emis.scope import ScopeError
from emis.tasks import pull_person_send
from emis.webhook import emis_webhook
from legal_entities.models import LegalEntity
from pms.api import validated
from pms.roles import IsFrontDesk


class PullRequestSerializer(serializers.Serializer):
    # Inactive ones too: they are refused with their code, as upload-link does.
    legal_entity = serializers.PrimaryKeyRelatedField(
        queryset=LegalEntity.objects.all(),
        help_text="ID of an active legal entity the person has a stay with.",
    )


_ERROR = inline_serializer(
    "EmisJobError",
    fields={"code": serializers.CharField(), "message": serializers.CharField()},
    allow_null=True,
)
JobSerializer = inline_serializer(
    "EmisJob",
    fields={
        "id": serializers.IntegerField(),
        "status": serializers.ChoiceField(choices=EmisJob.Status.choices),
        "result": serializers.ChoiceField(
            choices=EmisJob.Result.choices, allow_null=True
        ),
        "changed_fields": serializers.ListField(child=serializers.CharField()),
        "attempts": serializers.IntegerField(),
        "max_attempts": serializers.IntegerField(),
        "next_attempt_at": serializers.DateTimeField(
            allow_null=True, help_text="When a queued job is next tried."
        ),
        "conflicts": serializers.ListField(child=serializers.CharField()),
        "error": _ERROR,
    },
)
_QUEUED = inline_serializer(
    "EmisJobQueued",
    fields={"job": serializers.IntegerField(), "status": serializers.CharField()},
)
_ENDED = OpenApiResponse(
    response=inline_serializer(
        "EmisJobEnded",
        fields={
            "detail": serializers.CharField(),
            "code": serializers.CharField(help_text="`job_ended`"),
            "job": JobSerializer,
        },
    ),
    description="The job had ended already (succeeded, failed or cancelled): "
    "nothing was cancelled",
)


class PersonPullView(APIView):
    """ "Получить данные документов": queue a pull of one person's EMIS data."""

    permission_classes = [IsFrontDesk]

    @extend_schema(
        operation_id="emis_person_pull",
        request=PullRequestSerializer,
        responses={
            202: OpenApiResponse(
                response=_QUEUED,
                description=(
                    "The job to follow (`GET /api/v1/emis/jobs/{id}/`): a new "
                    "one, or the pull still open (`queued`/`running`) for this "
                    "guest and legal entity, so that EMIS is asked once."
                ),
            ),
            400: OpenApiResponse(
                description=(
                    'Unknown legal entity (`{"legal_entity": [...]}`); or '
                    '`{"detail", "code"}`: the legal entity is inactive '
                    "(`legal_entity_inactive`), the person has no stay with "
                    "it (`no_stay_with_legal_entity`); or the person is not "
                    'saved (`{"detail"}`).'
                )
            ),
            409: OpenApiResponse(
                description="The guest's personal data was erased and they "
                "have no stay since (`person_data_erased`)."
            ),
        },
        tags=["emis"],
    )
    def post(self, request: Request, person_id: int) -> Response:
        body = validated(PullRequestSerializer(data=request.data))
        try:
            job, new = job_enqueue_pull(
                person_id=person_id,
                legal_entity_id=body["legal_entity"].pk,
                user=request.user,
            )
        except ScopeError as exc:
            return Response(exc.as_api_error(), status=exc.api_status)
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        if new:
            transaction.on_commit(partial(pull_person_send, job.pk))
        return Response(
            {"job": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED
        )


class JobDetailView(APIView):
    permission_classes = [IsFrontDesk]

    @extend_schema(
        operation_id="emis_job_detail", responses={200: JobSerializer}, tags=["emis"]
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(EmisJob, pk=job_id)
        if job.kind == EmisJob.Kind.PULL and job_advance(job_id=job.pk):
            job.refresh_from_db()
        return Response(job_as_dict(job))


class JobCancelView(APIView):
    """ "Отменить": cancel a pull job that has not ended."""

    permission_classes = [IsFrontDesk]

    @extend_schema(
        operation_id="emis_job_cancel",
        request=None,
        responses={200: JobSerializer, 409: _ENDED},
        tags=["emis"],
    )
    def post(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(EmisJob, pk=job_id, kind=EmisJob.Kind.PULL)
        cancelled = job_cancel(job_id=job.pk, user=request.user)
        job.refresh_from_db()
        if cancelled:
            return Response(job_as_dict(job))
        # A second click, or the job's own end came first: one answer for both.
        ended = {
            "detail": str(JOB_ENDED_MESSAGE),
            "code": JOB_ENDED,
            "job": job_as_dict(job),
        }
        return Response(ended, status=status.HTTP_409_CONFLICT)


urlpatterns = [
    path("emis/webhook/", emis_webhook, name="emis-webhook"),
    path(
        "persons/<id:person_id>/emis/pull/", PersonPullView.as_view(), name="emis-pull"
    ),
    path("emis/jobs/<id:job_id>/", JobDetailView.as_view(), name="emis-job"),
    path(
        "emis/jobs/<id:job_id>/cancel/",
        JobCancelView.as_view(),
        name="emis-job-cancel",
    ),
]
