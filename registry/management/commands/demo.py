from django.conf import settings
from django.core.management.base import BaseCommand

from registry.demo import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = "Load the demo district (DEMO_COUNTY_CODE, default 330106 杭州市西湖区) and one account per role."

    def add_arguments(self, parser):
        parser.add_argument("--county", default=settings.DEMO_COUNTY_CODE)

    def handle(self, *args, county, **options):
        result = build_demo(county)
        self.stdout.write(
            f"Demo district {result['county'].full_name}: {result['streets']} streets/towns, "
            f"{result['communities']} communities."
        )
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for username, role, regions in result["accounts"]:
            self.stdout.write(f"  {username:<10} {role}  {regions}")
