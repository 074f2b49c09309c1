from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmisConnectorConfig(AppConfig):
    name = "integrations.connectors.emis"
    label = "emis_connector"
    verbose_name = _("EMIS Service connection")

    def ready(self) -> None:
        from integrations import registry

        from .connector import CONNECTOR

        registry.register(CONNECTOR)
