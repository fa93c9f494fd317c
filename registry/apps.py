from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from registry import audit

        audit.connect()

        from registry import jobs
        from registry.models import Job
        from registry.tasks import run_job

        jobs.register("job", Job, run_job, jobs.handle)
