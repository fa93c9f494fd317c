import json
import platform

from django.core.management.base import BaseCommand
from django.db import connection

from reporting.bench import run_all


class Command(BaseCommand):
    help = "Run the benchmarks (docs/benchmarks.md) against the configured database; nothing is kept."

    def add_arguments(self, parser):
        parser.add_argument("--figures", action="store_true",
                            help="Only the figures engine's part (issue 12): the province, as-of, street and snapshot "
                                 "dashboards and the raw SQL floor, on the synthetic province (generated if missing).")

    def handle(self, *args, figures=False, **options):
        if figures:
            from reporting.scale_bench import figures as figures_bench

            results = {"figures": figures_bench()}
        else:
            results = run_all()
        results["machine"] = {"python": platform.python_version(), "database": connection.vendor,
                              "cpu": platform.processor() or platform.machine()}
        self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2, default=str))
