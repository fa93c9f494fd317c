from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Venture grants")

    def ready(self):
        from grants.matching_portal import pairings_section
        from grants.portal import grants_section
        from registry.accounts import register_portal_section

        register_portal_section(grants_section)
        register_portal_section(pairings_section)  # the organization's own page lists its pairings and activities
