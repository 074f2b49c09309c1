from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalEntitiesConfig(AppConfig):
    name = "legal_entities"
    verbose_name = _("Legal entities")
