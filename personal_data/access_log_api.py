"""``GET /api/v1/persons/{id}/access-log/``: who read a person's personal
data, for admins, newest first, paginated like every list
(``pms/pagination.py``). Read-only: the log is append-only."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from pms.roles import IsAdmin
from reservations.aliases import person_id_resolve
from reservations.models import Person

from .access_log import person_access_log
from .models import PersonalDataAccess


class AccessSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="username")

    class Meta:
        model = PersonalDataAccess
        fields = [
            "id",
            "at",
            "user",
            "user_id",
            "person_id",
            "kind",
            "address",
            "detail",
        ]


class PersonAccessLogView(generics.ListAPIView):
    """Every read of the person's data (guest card, person API, history,
    search results, merge page, export, a full number revealed), including
    reads under an ID since merged into this one."""

    permission_classes = [IsAdmin]
    serializer_class = AccessSerializer

    @extend_schema(operation_id="person_access_log", tags=["persons"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        survivor = person_id_resolve(self.kwargs["person_id"])
        if not Person.objects.filter(pk=survivor).exists():
            raise Http404
        return person_access_log(person_id=survivor)

