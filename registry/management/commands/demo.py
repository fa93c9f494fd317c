from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from registry.demo import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = "Load the demo district (DEMO_COUNTY_CODE, default 330106 杭州市西湖区) and one account per role."

    def add_arguments(self, parser):
        parser.add_argument("--county", default=settings.DEMO_COUNTY_CODE)

    def handle(self, *args, county, **options):
        result = build_demo(county)
        # Each app may add its own demo rows (filings/demo.py, grants/demo.py, ...) on top of the registry's.
        for app in apps.get_app_configs():
            try:
                module = import_module(f"{app.name}.demo")
            except ModuleNotFoundError:
                continue
            if app.name != "registry" and hasattr(module, "extend_demo"):
                module.extend_demo(result)
        self.stdout.write(
            f"Demo district {result['county'].full_name}: {result['streets']} streets/towns, "
            f"{result['communities']} communities, {result['organizations']} organizations."
        )
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for username, role, regions in result["accounts"]:
            self.stdout.write(f"  {username:<12} {role}  {regions}")
