from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.services import ImportRejected, import_communities


class Command(BaseCommand):
    help = (
        "Import communities from a CSV file with columns code (12 digits), name, urban_rural_code. "
        "Every bad row is reported with its number and nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist")
        try:
            count = import_communities(file.read_bytes())
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing imported: {len(exc.errors)} rows need fixing.") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {count} communities."))
