"""Legal entities over the API: the model's validators give per-field errors
(INN/OGRN check digits, KPP format); writes go through the services."""

from rest_framework import serializers

from .models import LegalEntity
from .services import legal_entity_create, legal_entity_update


class LegalEntitySerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalEntity
        fields = [
            "id",
            "name",
            "inn",
            "kpp",
            "ogrn",
            "address",
            "is_active",
            "personal_data_retention_days",
        ]

    def create(self, validated_data) -> LegalEntity:
        return legal_entity_create(values=validated_data)

    def update(self, instance: LegalEntity, validated_data) -> LegalEntity:
        return legal_entity_update(legal_entity_id=instance.pk, values=validated_data)
