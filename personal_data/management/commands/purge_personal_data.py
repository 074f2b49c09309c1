"""``manage.py purge_personal_data [--dry-run]``: the retention rule now,
as the daily task runs it (``personal_data.retention``). The dry run prints
whom it would erase and what they hold, and erases nothing."""

from django.core.management.base import BaseCommand

from personal_data.retention import Due, retention_purge


class Command(BaseCommand):
    help = (
        "Erase the personal data of guests whose legal entity's retention "
        "period has passed since their last stay (none current or future)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print who is due and what would be erased; erase nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        run = retention_purge(dry_run=dry_run, report=self._report if dry_run else None)
        verb = "would be erased" if dry_run else "erased"
        for entity_id, count in run.persons.items():
            self.stdout.write(f"legal_entity={entity_id}: {count} persons {verb}")
        self.stdout.write(f"total: {run.total} persons {verb}")

    def _report(self, entity, batch: list[Due]) -> None:
        # IDs and counts only: the command's output is personal-data free.
        days = entity.personal_data_retention_days
        for due in batch:
            self.stdout.write(
                f"person_id={due.person_id} legal_entity={entity.pk} "
                f"last_stay_ended={due.last_stay_ended:%Y-%m-%d} "
                f"retention_days={days}: would erase names, birth data, contacts, "
                f"address, notes, documents={due.documents} visas={due.visas} "
                f"migration_card={due.migration_card} "
                f"history_values={due.history_rows}"
            )
