"""/api/v1/legal-entities/: list, create, retrieve, update (no delete: a
reservation protects its entity, and EMIS knows the ID)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets

from pms.api import ReadFrontDeskWriteAdmin

from .models import LegalEntity
from .serializers import LegalEntitySerializer


@extend_schema(tags=["legal entities"])
class LegalEntityViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = LegalEntity.objects.all()
    lookup_value_converter = "id"
    serializer_class = LegalEntitySerializer
    permission_classes = [ReadFrontDeskWriteAdmin]
