"""Side effects of transitions, run inside the transition's transaction (a failure rolls everything back)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.choices import CertificateKind
from filings.models import Certificate
from filings.numbering import decision_number, filing_number, ledger_number
from registry.choices import OrgStatus, RegionLevel, Tier, TownshipKind
from registry.forms import OrganizationForm, form_data_from
from registry.models import Organization, clean_uscc


def street_of(region):
    return region if region.level == RegionLevel.STREET else next(
        (r for r in region.ancestors() if r.level == RegionLevel.STREET), None)


def county_of(region):
    return region if region.level == RegionLevel.COUNTY else next(
        (r for r in region.ancestors() if r.level == RegionLevel.COUNTY), None)


def street_office(street) -> str:
    kind = street.township_kind
    if kind == TownshipKind.STREET:
        return _("%(name)s Office") % {"name": street.name}
    return _("%(name)s People's Government") % {"name": street.name}


def bureau(county) -> str:
    return _("%(name)s Civil Affairs Bureau") % {"name": county.name}


def _save_from_payload(case, user, tier) -> tuple[Organization, OrganizationForm]:
    instance = case.organization or Organization()
    form = OrganizationForm(data=form_data_from(case.payload), tier=tier, instance=instance)
    if not form.is_valid():
        problems = [f"{form.fields[f].label if f in form.fields else ''}: {e}" for f, errs in form.errors.items()
                    for e in errs]
        raise ValidationError(problems)
    organization = form.save(commit=False)
    organization.tier = tier
    organization.status = OrgStatus.ACTIVE
    organization._history_user = user
    return organization, form


def _finish(case, organization, form, user):
    organization.save()
    form.save_m2m()
    case.organization = organization
    case.title = organization.name


def _certificate(case, user, kind, number, office, organization=None, comment=""):
    return Certificate.objects.create(number=number, kind=kind, case=case, organization=organization,
                                      issuing_office=office, comment=comment)


def record_organization(case, user, comment, data):
    organization, form = _save_from_payload(case, user, Tier.COMMUNITY)
    year = timezone.localdate().year
    organization.ledger_number = ledger_number(organization.region_id, year)
    _finish(case, organization, form, user)
    street = street_of(organization.region)
    _certificate(case, user, CertificateKind.RECORD_CERTIFICATE, organization.ledger_number,
                 street_office(street), organization)


def file_organization(case, user, comment, data):
    organization, form = _save_from_payload(case, user, Tier.FILED)
    street = street_of(organization.region)
    today = timezone.localdate()
    organization.filing_number = filing_number(street.code, today.year)
    organization.filed_on = today
    _finish(case, organization, form, user)
    _certificate(case, user, CertificateKind.FILING_CERTIFICATE, organization.filing_number,
                 street_office(street), organization)


def register_organization(case, user, comment, data):
    """Registration, or a filed/community group's upgrade to registration: same row, history follows it."""
    organization, form = _save_from_payload(case, user, Tier.REGISTERED)
    code = (data.get("uscc") or organization.uscc or "").strip().upper()
    if not code:
        raise ValidationError(_("Enter the unified social credit code issued with the registration."))
    organization.uscc = clean_uscc(code, organization.legal_form, organization.uscc_override_reason)
    if Organization.objects.filter(uscc=organization.uscc).exclude(pk=organization.pk).exists():
        raise ValidationError(_("The code %(code)s belongs to another organization.") % {"code": organization.uscc})
    county = county_of(organization.region)
    organization.registration_authority = bureau(county)
    organization.registered_on = timezone.localdate()
    _finish(case, organization, form, user)
    _certificate(case, user, CertificateKind.REGISTRATION_DECISION,
                 decision_number(county.code, timezone.localdate().year), bureau(county), organization)


def notify_rejection(case, user, comment, data):
    county = county_of(case.region)
    _certificate(case, user, CertificateKind.REJECTION_NOTICE, decision_number(county.code, timezone.localdate().year),
                 bureau(county), case.organization, comment=comment)


def _set_status(case, user, status, only_from=None):
    organization = case.organization
    if organization is None or (only_from and organization.status not in only_from):
        return
    organization.status = status
    organization._history_user = user
    organization.save(update_fields=["status", "updated_at"])


def mark_change_pending(case, user, comment, data):
    _set_status(case, user, OrgStatus.CHANGE_PENDING, only_from=(OrgStatus.ACTIVE,))


def mark_deregistering(case, user, comment, data):
    _set_status(case, user, OrgStatus.DEREGISTERING)


def restore_organization(case, user, comment, data):
    _set_status(case, user, OrgStatus.ACTIVE, only_from=(OrgStatus.CHANGE_PENDING, OrgStatus.DEREGISTERING))


def apply_change(case, user, comment, data):
    tier = case.organization.tier
    organization, form = _save_from_payload(case, user, tier)
    _finish(case, organization, form, user)
    if tier == Tier.REGISTERED:
        county = county_of(organization.region)
        _certificate(case, user, CertificateKind.CHANGE_DECISION,
                     decision_number(county.code, timezone.localdate().year), bureau(county), organization)


def deregister_organization(case, user, comment, data):
    _set_status(case, user, OrgStatus.DEREGISTERED)
    if case.organization.tier == Tier.REGISTERED:
        county = county_of(case.organization.region)
        _certificate(case, user, CertificateKind.DEREGISTRATION_DECISION,
                     decision_number(county.code, timezone.localdate().year), bureau(county), case.organization)


def record_annual_result(case, user, comment, data):
    from filings.choices import InspectionResult
    from registry.lifecycle import repair_flags

    organization = case.organization
    if organization.tier == Tier.REGISTERED:
        result = data.get("result") or ""
        if result not in (InspectionResult.PASS, InspectionResult.BASIC_PASS, InspectionResult.FAIL):
            raise ValidationError(_("Choose the inspection result: pass, basic pass or fail."))
        case.result = result
        if result == InspectionResult.FAIL:
            return  # a failed inspection repairs nothing
    else:
        case.result = InspectionResult.UPDATED
    repair_flags(organization, "no_annual_report", user,
                 _("Annual report for %(year)s accepted (%(number)s).") % {"year": case.period, "number": case.number})


def record_new_term(case, user, comment, data):
    """换届: the new leadership and term on the organization (its history keeps the previous ones)."""
    from datetime import date

    organization = case.organization
    payload = case.payload
    organization.leader_name = payload["leader_name"]
    if payload.get("legal_representative"):
        organization.legal_representative = payload["legal_representative"]
    organization.term_ends_on = date.fromisoformat(payload["term_ends_on"])
    organization._history_user = user
    organization._change_reason = _("Leadership change %(number)s") % {"number": case.number}
    organization.save()


def revoke_organization(case, user, comment, data):
    """撤销: the registration (or filing) is revoked; the record and its history stay."""
    organization = case.organization
    _set_status(case, user, OrgStatus.REVOKED)
    if organization.tier == Tier.REGISTERED:
        county = county_of(organization.region)
        number, office = decision_number(county.code, timezone.localdate().year), bureau(county)
    else:
        street = street_of(organization.region)
        number, office = decision_number(street.code, timezone.localdate().year), street_office(street)
    _certificate(case, user, CertificateKind.REVOCATION_DECISION, number, office, organization, comment=comment)


EFFECTS = {
    "record_organization": record_organization,
    "file_organization": file_organization,
    "register_organization": register_organization,
    "notify_rejection": notify_rejection,
    "mark_change_pending": mark_change_pending,
    "mark_deregistering": mark_deregistering,
    "restore_organization": restore_organization,
    "apply_change": apply_change,
    "deregister_organization": deregister_organization,
    "record_annual_result": record_annual_result,
    "record_new_term": record_new_term,
    "revoke_organization": revoke_organization,
}
