"""``manage.py prune_emis_deliveries [--days N]``: what the daily beat task
does, at once (e.g. after lowering EMIS_DELIVERY_LOG_DAYS)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from emis.deliveries.services import deliveries_prune


class Command(BaseCommand):
    help = "Delete EMIS webhook delivery log rows older than EMIS_DELIVERY_LOG_DAYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="keep this many days instead of EMIS_DELIVERY_LOG_DAYS "
            f"({settings.EMIS_DELIVERY_LOG_DAYS})",
        )

    def handle(self, *args, days: int | None = None, **options) -> None:
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more")
        deleted = deliveries_prune(days=days)
        self.stdout.write(f"{deleted} delivery log rows deleted.")
