from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectorCall(models.Model):
    """One outbound call to an integration: what the integrations page reads.

    Holds no secret and no personal data: the operation name, the outcome,
    the duration and a classified error code with its plain message.
    """

    connector = models.CharField(max_length=50, db_index=True)
    operation = models.CharField(max_length=50)
    ok = models.BooleanField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # Attempts behind this one call (retries after timeouts, 5xx, 429).
    attempts = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("integration call")
        verbose_name_plural = _("integration calls")
        indexes = [models.Index(fields=["connector", "ok", "-created_at"])]

    def __str__(self) -> str:
        return (
            f"{self.connector}.{self.operation}: {'ok' if self.ok else self.error_code}"
        )
