from django.core.management.base import BaseCommand

from grants.bench import run


class Command(BaseCommand):
    help = "Times both venture-grant allocation modes on a generated round (default 2,000 applications)."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        figures = run(n=options["applications"], seed=options["seed"])
        self.stdout.write(
            f"grants allocation, {figures['applications']} applications: "
            f"rank {figures['rank_seconds']:.3f} s ({figures['rank_funded']} funded, "
            f"score {figures['rank_total_score']}, community {figures['rank_community_share']}%); "
            f"optimal {figures['optimal_seconds']:.3f} s ({figures['optimal_funded']} funded, "
            f"score {figures['optimal_total_score']}, community {figures['optimal_community_share']}%, "
            f"{figures['optimal_constraint_violations']} constraint violations)")
