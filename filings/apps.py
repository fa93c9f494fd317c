from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = _("Cases and filings")

    def ready(self):
        from filings import scheduler

        # Embedded mode (no Redis, so no Celery beat): the server runs the daily jobs itself.
        if scheduler.is_embedded_server():
            scheduler.start()
