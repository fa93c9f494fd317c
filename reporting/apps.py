from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Targets and reports")

    def ready(self):
        from registry import jobs
        from reporting.models import YearlyReport
        from reporting.tasks import build_yearly_report
        from reporting.yearly import build

        # The yearly report is tracked work on the registry's job engine, which knows it only through this hook.
        jobs.register("yearly_report", YearlyReport, build_yearly_report, build)

        from reporting.signals import connect

        connect()
