from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reservations.rules import check_text

from .validators import validate_inn, validate_kpp, validate_ogrn

RETENTION_DAYS_MAX = 36500


class LegalEntityQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class LegalEntity(models.Model):
    """A hotel's legal entity. Its ID is what EMIS support is told at
    onboarding and what travels as ``legal_entity_id`` in the EMIS API."""

    # Free text as a guest's is (reservations/rules.py): a bidi control or
    # another hidden character makes the name on invoices and registrations
    # read otherwise than stored.
    name = models.CharField(_("name"), max_length=255, validators=[check_text])
    inn = models.CharField(_("INN"), max_length=12, validators=[validate_inn])
    kpp = models.CharField(
        _("KPP"), max_length=9, blank=True, validators=[validate_kpp]
    )
    ogrn = models.CharField(
        _("OGRN"), max_length=15, blank=True, validators=[validate_ogrn]
    )
    address = models.CharField(
        _("address"), max_length=500, blank=True, validators=[check_text]
    )
    is_active = models.BooleanField(_("active"), default=True)
    # 152-FZ: data kept no longer than its purpose needs. Blank keeps it;
    # personal_data/retention.py erases a guest's data this long after
    # their last stay with this entity ended. At most RETENTION_DAYS_MAX
    # (100 years, longer than any guest lives after a stay): a longer one
    # means "kept", which is blank, and a cut-off date that far back is
    # before the first day Python's dates count (the purge would crash).
    personal_data_retention_days = models.PositiveIntegerField(
        _("personal data retention, days"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(RETENTION_DAYS_MAX)],
        help_text=_(
            "Days after a guest's last stay with this legal entity ended "
            "(and none is current or booked) after which their personal data "
            "is erased; the person ID, stays and dates stay. Blank: kept."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LegalEntityQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")

    def __str__(self) -> str:
        return f"{self.name} (ID {self.pk})"

    def get_absolute_url(self) -> str:
        return reverse("legal_entities:edit", args=[self.pk])
