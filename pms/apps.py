from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmsConfig(AppConfig):
    name = "pms"
    verbose_name = _("PMS")

    def ready(self):
        from django.urls import register_converter

        from . import ids, middleware, signals, strict_json

        signals.connect()
        strict_json.connect()
        # Before any URL module uses it: <id:person_id> in every path that
        # names a row, pages and API alike (pms/ids.py).
        register_converter(ids.IdConverter, "id")
        middleware.connect_signals()
