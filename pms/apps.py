from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmsConfig(AppConfig):
    name = "pms"
    verbose_name = _("PMS")

    def ready(self):
        from . import middleware, signals, strict_json

        signals.connect()
        strict_json.connect()
        middleware.connect_signals()
