from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmisConfig(AppConfig):
    name = "emis"
    verbose_name = _("EMIS Service")
