from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = _("Cases and filings")

    def ready(self):
        from filings import scheduler
        from filings.portal import cases_section
        from registry.accounts import register_portal_section

        register_portal_section(cases_section)

        from filings.numbering import number_imported
        from registry.resources import NUMBERING

        if number_imported not in NUMBERING:
            NUMBERING.append(number_imported)

        # Embedded mode (no Redis, so no Celery beat): the server runs the daily jobs itself.
        if scheduler.is_embedded_server():
            scheduler.start()
