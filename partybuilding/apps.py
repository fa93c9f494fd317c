from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartybuildingConfig(AppConfig):
    name = "partybuilding"
    verbose_name = _("Party building")

    def ready(self):
        # "Party organization not established as required" joins the abnormal-activity triggers (DOMAIN.md §4).
        from partybuilding.coverage import should_establish
        from registry.choices import FlagReason
        from registry.lifecycle import register_trigger

        register_trigger(FlagReason.PARTY_NOT_ESTABLISHED, should_establish,
                         _("At least three full Party members and no own or joint Party organization (应建未建)."))
