from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmisConfig(AppConfig):
    name = "emis"
    verbose_name = _("EMIS Service")

    def ready(self) -> None:
        from integrations.registry import add_status_provider

        from .sync_status import sync_status

        add_status_provider("emis", sync_status)
