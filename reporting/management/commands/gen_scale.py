from django.core.management.base import BaseCommand

from reporting.scale import generate


class Command(BaseCommand):
    help = "Generate a synthetic province (code 99) for benchmarks: seeded, deterministic, replaces the previous one."

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=50_000)
        parser.add_argument("--orgs", type=int, default=500_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, communities, orgs, seed, **options):
        result = generate(communities, orgs, seed, log=lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS(f"Generated {result}"))
