from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from integrations.secrets import EncryptedTextField


class EmisConnection(models.Model):
    """The one EMIS connection of this PMS (a singleton, pk=1).

    The four credentials EMIS issues at onboarding plus its address. The two
    passwords are encrypted at rest and never rendered, returned or logged.
    """

    base_url = models.URLField(_("EMIS address"), blank=True)
    web_login = models.CharField(_("web login"), max_length=200, blank=True)
    web_password = EncryptedTextField(_("web password"), blank=True)
    api_login = models.CharField(_("API login"), max_length=200, blank=True)
    api_password = EncryptedTextField(_("API password"), blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("EMIS Service connection")
        verbose_name_plural = _("EMIS Service connection")

    def __str__(self) -> str:
        return "EMIS Service"

    @classmethod
    def load(cls) -> EmisConnection:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def is_complete(self) -> bool:
        return all(
            (
                self.base_url,
                self.web_login,
                self.web_password,
                self.api_login,
                self.api_password,
            )
        )
