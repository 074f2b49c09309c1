"""The fixed vocabularies of emis's models: the name policy's script, letter
case and Latin standard; a webhook delivery's outcome; what a job a user
waits on is, where it stands and what it did; and which value a decided
conflict kept (imported by ``models`` and re-exported there)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Script(models.TextChoices):
    CYRILLIC = "cyrillic", _("Cyrillic")
    LATIN = "latin", _("Latin")


class LetterCase(models.TextChoices):
    TITLE = "title", _("Title case (Иванов)")
    UPPER = "upper", _("Upper case (ИВАНОВ)")


class LatinStandard(models.TextChoices):
    ICAO = "icao_doc_9303", _("ICAO Doc 9303 (passports since 2014)")
    GOST = "gost_52535", _("GOST R 52535.1-2006 (2010–2014)")
    MVD = "mvd_310", _("MVD order 310 (1997–2010)")


class JobKind(models.TextChoices):
    PULL = "pull", _("Get document data")
    REAPPLY_NAMES = "reapply_names", _("Re-apply name policy")
    SYNC = "sync", _("Sync with EMIS")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class JobResult(models.TextChoices):
    APPLIED = "applied", _("Applied")
    UNCHANGED = "unchanged", _("Unchanged")
    NOT_FOUND = "not_found", _("Not found")
    STALE = "stale", _("Stale")


class DeliveryStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    UNCHANGED = "unchanged", _("Unchanged")
    DUPLICATE = "duplicate", _("Duplicate")
    STALE = "stale", _("Stale")
    REJECTED = "rejected", _("Rejected")  # 400, 401, 403, 404, 413, 429
    FAILED = "failed", _("Failed")  # 5xx: the PMS could not; EMIS retries


class ConflictKeep(models.TextChoices):
    EMIS = "emis", _("EMIS value taken")
    PROFILE = "profile", _("profile value kept")
