from django.db.models import Count, QuerySet

from .models import LegalEntity


def legal_entity_list() -> QuerySet[LegalEntity]:
    return LegalEntity.objects.annotate(reservation_count=Count("reservations"))
