"""State of the EMIS exchange, all in the database so any number of web and
worker processes can share it: the connection, the name policy, webhook
delivery claims and the delivery log, pull jobs, the changes-feed cursor per legal entity, and
upload-link clicks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.secrets import EncryptedTextField

# The vocabularies are in ``choices``; each model still names its own
# (``EmisJob.Status.QUEUED``).
from .choices import (
    ConflictKeep,
    DeliveryStatus,
    JobKind,
    JobResult,
    JobStatus,
    LatinStandard,
    LetterCase,
    Script,
)


class EmisConnection(models.Model):
    """The one EMIS connection of this PMS (a singleton, pk=1).

    The four credentials EMIS issues at onboarding plus its address. The two
    passwords are encrypted at rest and never rendered, returned or logged.
    Written only by ``emis.connection.services``.
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


class _PolicyFields(models.Model):
    script = models.CharField(
        _("script of the main name fields"),
        max_length=10,
        choices=Script.choices,
        default=Script.CYRILLIC,
    )
    letter_case = models.CharField(
        _("letter case"), max_length=10, choices=LetterCase.choices, default=LetterCase.TITLE
    )
    latin_standard = models.CharField(
        _("Cyrillic → Latin standard"),
        max_length=20,
        choices=LatinStandard.choices,
        default=LatinStandard.ICAO,
    )

    class Meta:
        abstract = True


class NamePolicy(_PolicyFields):
    """The single name-substitution policy (pk=1), switched by support."""

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("name policy")
        verbose_name_plural = _("name policy")

    def __str__(self) -> str:
        return str(_("Name policy"))

    @classmethod
    def load(cls) -> NamePolicy:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class NamePolicyOverride(_PolicyFields):
    """A legal entity that needs names differently from the global policy."""

    legal_entity = models.OneToOneField(
        "legal_entities.LegalEntity",
        on_delete=models.CASCADE,
        related_name="name_policy_override",
        verbose_name=_("legal entity"),
    )

    class Meta:
        verbose_name = _("name policy override")
        verbose_name_plural = _("name policy overrides")

    def __str__(self) -> str:
        return str(self.legal_entity)


class WebhookDelivery(models.Model):
    """One ``X-Emis-Delivery`` ID, claimed before processing so that a
    delivery retried by EMIS (or raced by two web workers) applies once."""

    delivery_id = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, blank=True)  # applied|unchanged|stale
    person_id = models.BigIntegerField(null=True, blank=True)
    legal_entity_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return self.delivery_id


class EmisDelivery(models.Model):
    """The delivery log: one row per webhook request, whatever its answer.

    Not the claim (``WebhookDelivery``): a delivery ID may be refused several
    times before it is applied once, a request refused before its signature
    was checked has no trustworthy ID, and old rows are pruned
    (``EMIS_DELIVERY_LOG_DAYS``) while claims keep replays out. Holds IDs,
    the outcome and, for a 400, each bad field's path and reason — never the
    body or any value from it. Written by ``emis.deliveries.services``.
    """

    Status = DeliveryStatus

    delivery_id = models.CharField(_("delivery ID"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"))
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    # Plain numbers, not foreign keys: a refused delivery may name a person
    # or legal entity this PMS does not have.
    person_id = models.BigIntegerField(_("person ID"), null=True, blank=True)
    legal_entity_id = models.BigIntegerField(_("legal entity ID"), null=True, blank=True)
    version = models.PositiveBigIntegerField(_("EMIS version"), null=True, blank=True)
    bad_fields = models.JSONField(_("bad fields"), default=list, blank=True)
    # Its signature was verified: EMIS sent it. Unsigned refusals are anyone's
    # (Стыковки counts them apart, so a flood cannot hide EMIS's own).
    signed = models.BooleanField(_("signed"), default=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at"], name="emis_delivery_received"),
            models.Index(fields=["person_id", "received_at"], name="emis_delivery_person"),
            models.Index(fields=["status", "received_at"], name="emis_delivery_status"),
            models.Index(fields=["delivery_id"], name="emis_delivery_id"),
        ]
        verbose_name = _("EMIS delivery")
        verbose_name_plural = _("EMIS delivery log")

    def __str__(self) -> str:
        # The admin's title of a row: hotel time and words, not UTC and codes.
        when = timezone.localtime(self.received_at).strftime("%d.%m.%Y %H:%M")
        return f"{self.delivery_id or '—'} · {when} · {self.get_status_display()}"


class WebhookRefusals(models.Model):
    """Unsigned webhook requests refused from one client address in one
    minute: the rate limit's count (``emis.deliveries.throttle``), shared by
    every process. Rows older than a day are deleted as new ones come."""

    client = models.CharField(max_length=45)  # an IP address, or "unknown"
    minute = models.BigIntegerField()  # Unix time // 60
    refused = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "minute"], name="emis_refusals_key")
        ]
        indexes = [models.Index(fields=["minute"], name="emis_refusals_minute")]

    def __str__(self) -> str:
        return f"{self.client} @ {self.minute}: {self.refused}"


class EmisJob(models.Model):
    """A job a user waits on: a "Получить данные документов" pull, a
    name-policy re-apply or a "Синхронизировать сейчас" sync."""

    Kind, Status, Result = JobKind, JobStatus, JobResult

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PULL)
    person = models.ForeignKey(
        "reservations.Person", null=True, blank=True, on_delete=models.CASCADE
    )
    legal_entity = models.ForeignKey(
        "legal_entities.LegalEntity", null=True, blank=True, on_delete=models.CASCADE
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    result = models.CharField(max_length=20, choices=Result.choices, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    # Fields where the profile kept a value staff changed after EMIS gave
    # one, and EMIS now sends another (emis/conflicts.py).
    conflict_fields = models.JSONField(default=list, blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the job may next be worked: a queued job's next attempt, a
    # running one's lease (emis/pull_schedule.py). The schedule lives here,
    # not in a process, so any request or worker can pick it up.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_failed = models.PositiveIntegerField(default=0)  # steps that failed
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("EMIS job")
        verbose_name_plural = _("EMIS jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}: {self.status}"


class SyncState(models.Model):
    """The changes-feed cursor of one legal entity, and a lease so that two
    sync runs started at once never work the same feed together."""

    legal_entity = models.OneToOneField(
        "legal_entities.LegalEntity", on_delete=models.CASCADE, related_name="emis_sync"
    )
    cursor = models.CharField(max_length=500, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    persons_applied = models.PositiveIntegerField(default=0)
    persons_unchanged = models.PositiveIntegerField(default=0)
    persons_unknown = models.PositiveIntegerField(default=0)
    persons_conflicts = models.PositiveIntegerField(default=0)
    # Feed records that broke the contract, skipped (``persons_refused``: in
    # the last run): their person IDs and bad fields (``{"person_id",
    # "version", "fields"}``, the newest ``emis.sync.REFUSED_KEPT``, until
    # the feed brings the person again in good form), never a value.
    persons_refused = models.PositiveIntegerField(default=0)
    refused = models.JSONField(default=list, blank=True)
    pages = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("EMIS sync state")
        verbose_name_plural = _("EMIS sync state")

    def __str__(self) -> str:
        return f"sync {self.legal_entity_id}"


class SyncUnknownPerson(models.Model):
    """A person ID in the changes feed that this PMS does not know: recorded
    and skipped, so staff can see what EMIS holds that the PMS lacks."""

    legal_entity = models.ForeignKey("legal_entities.LegalEntity", on_delete=models.CASCADE)
    emis_person_id = models.CharField(max_length=32)
    version = models.PositiveBigIntegerField(null=True, blank=True)
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["legal_entity", "emis_person_id"], name="sync_unknown_unique"
            )
        ]

    def __str__(self) -> str:
        return self.emis_person_id


class UploadLinkClick(models.Model):
    """Who opened EMIS for which person, and whether EMIS gave a link."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    person = models.ForeignKey("reservations.Person", on_delete=models.CASCADE)
    legal_entity = models.ForeignKey("legal_entities.LegalEntity", on_delete=models.CASCADE)
    reservation = models.ForeignKey(
        "reservations.Reservation", null=True, blank=True, on_delete=models.SET_NULL
    )
    ok = models.BooleanField(default=False)
    error_code = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_id}"


class EmisConflict(models.Model):
    """A field where EMIS sends a value that differs from the profile's and
    the profile's value was typed by staff after EMIS's previous one: the
    profile keeps its value until staff decide (what OPERA Cloud shows when
    a scan differs from the profile). Open while ``resolved_at`` is empty; a
    decision to keep the profile's value holds for this EMIS value only."""

    Keep = ConflictKeep

    person = models.ForeignKey(
        "reservations.Person", on_delete=models.CASCADE, related_name="emis_conflicts"
    )
    # Which field: reservations.history's vocabulary (entity, record, field)
    # and its one-line path ("documents[passport_rf 4510 ****56].expiry_date").
    entity = models.CharField(max_length=20)
    entity_id = models.PositiveBigIntegerField(default=0)  # 0: the person
    field = models.CharField(max_length=100)
    path = models.CharField(max_length=300)
    profile_value = models.TextField(blank=True)
    emis_value = models.TextField(blank=True)
    since = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    kept = models.CharField(max_length=10, choices=Keep.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["person", "path"]
        constraints = [
            # One record per field: reopened when EMIS sends a new value.
            models.UniqueConstraint(
                fields=["person", "entity", "entity_id", "field"],
                name="emis_conflict_one_per_field",
            )
        ]
        indexes = [models.Index(fields=["person", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.path}"
