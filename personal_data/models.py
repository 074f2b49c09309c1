"""Models of the personal-data app: the access log and erasure records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The vocabularies are in ``choices``; each model still names its own
# (``PersonalDataAccess.Kind.GUEST_CARD``).
from .choices import AccessKind, ErasureRule


class AppendOnlyError(Exception):
    """An access log row was about to be changed or deleted: the log is a
    record of what happened and nothing in the app may rewrite it."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the personal data access log is append-only")

    def delete(self):
        raise AppendOnlyError("the personal data access log is append-only")

    # bulk_update goes through update(); update_or_create through save().


class PersonalDataAccess(models.Model):
    """One read of a person's personal data: who, when, whom, what, from where.

    ``person_id`` and ``user_id`` are plain IDs, not foreign keys the
    database enforces: a merged person or a deleted user must not take their
    rows with them (a cascade would be a delete, SET_NULL an update). The
    username is copied, so the log reads without a join and outlives the user.
    """

    Kind = AccessKind

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        editable=False,
    )
    username = models.CharField(_("username"), max_length=150, editable=False)
    # Blank only for the log's own CSV export, which reads nobody's data.
    person_id = models.BigIntegerField(_("person ID"), null=True, editable=False)
    kind = models.CharField(_("what"), max_length=32, choices=Kind.choices)
    address = models.GenericIPAddressField(_("address"), null=True, editable=False)
    detail = models.CharField(_("detail"), max_length=200, blank=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at", "-id"]
        # Who can change the log: nobody, whatever the role or superuser flag.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["person_id", "-at"], name="pd_access_person_at"),
            models.Index(fields=["-at"], name="pd_access_at"),
            models.Index(fields=["username", "-at"], name="pd_access_user_at"),
        ]

    def __str__(self) -> str:
        # The admin's title of a row: hotel time and words, not UTC and codes.
        when = timezone.localtime(self.at).strftime("%d.%m.%Y %H:%M")
        text = f"{when} · {self.username} · {self.get_kind_display()}"
        if self.person_id is None:
            return text
        return f"{text} · " + gettext("person ID %(id)s") % {"id": self.person_id}

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("an access log row cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("an access log row cannot be deleted")


# --- erasure ---


class PersonErasure(models.Model):
    """One erasure of a person's personal data (``personal_data.erasure``):
    when, by which rule or by whom, and why. What stays of the person is
    their ID, their stays and dates, and these records.

    A person may have several: a guest whose data was erased may come again
    (a new lawful processing), and be erased again later."""

    Rule = ErasureRule

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
