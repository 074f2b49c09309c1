"""Models of the personal-data app: the access log and erasure records."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# --- erasure ---


class PersonErasure(models.Model):
    """One erasure of a person's personal data (``personal_data.erasure``):
    when, by which rule or by whom, and why. What stays of the person is
    their ID, their stays and dates, and these records.

    A person may have several: a guest whose data was erased may come again
    (a new lawful processing), and be erased again later."""

    class Rule(models.TextChoices):
        RETENTION = "retention", _("Retention period of the legal entity")
        REQUEST = "request", _("Request")

    person = models.ForeignKey(
        "reservations.Person", on_delete=models.CASCADE, related_name="erasures"
    )
    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    # The request's author; none for the retention rule.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The retention rule that applied: whose period, and how long.
    legal_entity = models.ForeignKey(
        "legal_entities.LegalEntity", null=True, blank=True, on_delete=models.SET_NULL
    )
    retention_days = models.PositiveIntegerField(null=True, blank=True)
    # The end of the person's last stay when erased (any legal entity): a
    # stay ending later is a new visit, whose data is a new processing
    # (``selectors.erased_and_not_back``).
    stays_until = models.DateField(null=True, blank=True)
    # The request's reason, as the admin typed it (the retention rule's
    # reason is said by ``reason_text`` in the reader's language).
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-erased_at", "-id"]
        indexes = [models.Index(fields=["person", "-erased_at"])]
        verbose_name = _("personal data erasure")
        verbose_name_plural = _("personal data erasures")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.rule} {self.erased_at:%Y-%m-%d}"

    @property
    def reason_text(self) -> str:
        if self.rule == self.Rule.REQUEST:
            return self.reason
        return gettext(
            "the retention period of legal entity ID %(entity)s (%(days)s days) "
            "passed after the last stay"
        ) % {"entity": self.legal_entity_id, "days": self.retention_days}
