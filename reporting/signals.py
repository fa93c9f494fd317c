"""Every write of what the figures read refreshes the facts of the organizations it touched, in its own
transaction (``reporting.facts.refresh``): saves and deletes through the model signals, bulk writes through
``registry.changes.organizations_changed``, a community's reclassification through the region's save."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from registry.changes import organizations_changed


def _refresh(ids):
    from reporting.facts import refresh

    refresh(ids)


def on_announced(sender, ids, **kwargs):
    _refresh(ids)


def on_organization(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh([instance.pk])


def on_organization_deleted(sender, instance, **kwargs):
    from reporting.facts import forget

    forget([instance.pk])


def on_record(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh([instance.organization_id])


def on_party_building(sender, instance, raw=False, **kwargs):
    if raw:
        return
    # The members of its joint Party organization are covered (or no longer) with it.
    members = set(instance.joint_with.values_list("pk", flat=True)) if instance.pk else set()
    _refresh({instance.organization_id} | members)


def on_joint_members(sender, instance, action, pk_set, reverse=False, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if reverse:  # organization.<related>.add(party_building)
        from partybuilding.models import PartyBuilding

        ids = {instance.pk} | set(PartyBuilding.objects.filter(pk__in=pk_set or ()).values_list(
            "organization_id", flat=True))
    else:
        ids = {instance.organization_id} | set(pk_set or ())
        if action == "pre_clear":
            instance._figures_cleared = set(instance.joint_with.values_list("pk", flat=True))
            return
        ids |= getattr(instance, "_figures_cleared", set())
    _refresh(ids)


def remember_region(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        return
    before = sender.objects.filter(pk=instance.pk).values("committee_type", "is_active").first()
    instance._figures_changed = before is not None and (
        before["committee_type"] != instance.committee_type or before["is_active"] != instance.is_active)


def on_region(sender, instance, raw=False, created=False, **kwargs):
    if not raw and getattr(instance, "_figures_changed", False):
        from reporting.facts import refresh_regions

        refresh_regions([instance.code])


def connect():
    from partybuilding.models import InstructorAssignment, PartyBuilding
    from registry.models import BrandDesignation, EvaluationGrade, Organization, Region, Training

    organizations_changed.connect(on_announced, dispatch_uid="figures-announced")
    post_save.connect(on_organization, sender=Organization, dispatch_uid="figures-org")
    pre_delete.connect(on_organization_deleted, sender=Organization, dispatch_uid="figures-org-delete")
    for model in (InstructorAssignment, EvaluationGrade, BrandDesignation, Training):
        post_save.connect(on_record, sender=model, dispatch_uid=f"figures-save-{model.__name__}")
        post_delete.connect(on_record, sender=model, dispatch_uid=f"figures-delete-{model.__name__}")
    post_save.connect(on_party_building, sender=PartyBuilding, dispatch_uid="figures-pb")
    post_delete.connect(on_party_building, sender=PartyBuilding, dispatch_uid="figures-pb-delete")
    m2m_changed.connect(on_joint_members, sender=PartyBuilding.joint_with.through, dispatch_uid="figures-joint")
    pre_save.connect(remember_region, sender=Region, dispatch_uid="figures-region-before")
    post_save.connect(on_region, sender=Region, dispatch_uid="figures-region")
