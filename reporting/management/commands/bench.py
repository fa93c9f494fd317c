import json
import platform

from django.core.management.base import BaseCommand
from django.db import connection

from reporting.bench import run_all


class Command(BaseCommand):
    help = "Run the benchmarks (docs/benchmarks.md) against the configured database; nothing is kept."

    def handle(self, *args, **options):
        results = run_all()
        results["machine"] = {"python": platform.python_version(), "database": connection.vendor,
                              "cpu": platform.processor() or platform.machine()}
        self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2, default=str))
