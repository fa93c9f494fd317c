from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Venture grants")

    def ready(self):
        from grants.portal import grants_section
        from registry.accounts import register_portal_section

        register_portal_section(grants_section)
