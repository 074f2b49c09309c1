"""Re-encrypt every stored secret with the first key of PMS_ENCRYPTION_KEYS.

Key change: put the new key first (keep the old one after it), restart, run
this command, then drop the old key. Rows are rewritten one by one with a
compare-and-swap on the old ciphertext, so a secret saved meanwhile by the
application (already under the new key) is never overwritten.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from integrations.secrets import (
    SecretKeyError,
    encrypted_fields,
    raw,
    raw_value,
    rotate,
)


class Command(BaseCommand):
    help = "Re-encrypt all EncryptedTextField values with the first key."

    def handle(self, *args, **options) -> None:
        total = 0
        for model, attname in encrypted_fields():
            total += self._rotate_field(model, attname)
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} secret(s)."))

    def _rotate_field(self, model, attname: str) -> int:
        label = f"{model._meta.label}.{attname}"
        rows = (
            model._base_manager.annotate(_raw=raw(attname))
            .exclude(_raw="")
            .exclude(_raw__isnull=True)
            .values_list("pk", "_raw")
        )
        done = 0
        for pk, token in rows:
            try:
                new_token = rotate(token)
            except SecretKeyError as exc:
                raise CommandError(f"{label} (pk={pk}): {exc}") from exc
            with transaction.atomic():
                done += (
                    model._base_manager.filter(pk=pk)
                    .alias(_raw=raw(attname))
                    .filter(_raw=token)
                    .update(**{attname: raw_value(new_token)})
                )
        self.stdout.write(f"{label}: {done} re-encrypted")
        return done
