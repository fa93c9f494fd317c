"""The targets page: what applies to a region and where it comes from; the bureau adopts, adds, changes, retires."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Region
from registry.permissions import has_jurisdiction, permits
from reporting import targets as service
from reporting.forms import AdoptForm, OverrideForm, TargetForm
from reporting.indicators import CATALOGUE, INDICATORS
from reporting.models import Target
from reporting.views import NO_JURISDICTION, _breadcrumbs, region_for


def _errors(exc) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
    return " ".join(getattr(exc, "messages", [str(exc)]))


def _form_errors(form) -> list[str]:
    return [f"{form.fields[name].label if name in form.fields else ''}: {error['message']}".lstrip(": ")
            for name, errors in form.errors.get_json_data().items() for error in errors]


def target_rows(region, today):
    """Each indicator with the target in effect here and where it was set; own targets of every deadline."""
    in_effect = service.targets_for(region, today)
    origins = {r.prefix: r for r in Region.objects.filter(
        code__in={service.region_code_for(t.jurisdiction_code) for t in in_effect.values()})}
    rows = []
    for indicator in CATALOGUE:
        target = in_effect.get(indicator.id)
        rows.append({"indicator": indicator, "target": target,
                     "origin": origins.get(target.jurisdiction_code) if target else None,
                     "inherited": target is not None and target.jurisdiction_code != region.prefix,
                     "derived_from": INDICATORS[service.DERIVED_FROM[indicator.id]].name
                     if indicator.id in service.DERIVED_FROM else None,
                     "past": target is not None and target.deadline is not None and target.deadline < today})
    return rows


@login_required
@permits(has_jurisdiction, NO_JURISDICTION)
def targets(request):
    region = region_for(request, request.POST.get("region") if request.method == "POST" else None)
    if request.method == "POST":
        return _change(request, region)
    today = timezone.localdate()
    may_manage = service.may_manage(request.user, region)
    own = list(Target.objects.filter(jurisdiction_code=region.prefix).select_related("updated_by")
               .order_by("retired_at", "indicator", "deadline"))
    for target in own:
        target.indicator_name = INDICATORS[target.indicator].name if target.indicator in INDICATORS \
            else target.indicator
    return render(request, "reporting/targets.html", {
        "region": region, "rows": target_rows(region, today), "today": today, "may_manage": may_manage,
        "own": [t for t in own if t.retired_at is None], "retired": [t for t in own if t.retired_at is not None],
        "adopt_form": AdoptForm(), "add_form": TargetForm(initial={"indicator": request.GET.get("indicator")}),
        "breadcrumbs": _breadcrumbs(request, region), "is_bureau": region.level in service.BUREAU_LEVELS})


def _change(request, region):
    """One POST endpoint, four actions; each calls the service the API calls too."""
    action = request.POST.get("action")
    back = redirect(f"{request.path}?region={region.code}")
    try:
        if action == "adopt":
            form = AdoptForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("No such preset."))
            adoption = service.adopt_preset(region, form.cleaned_data["preset"], user=request.user)
            messages.success(request, _("Preset adopted: %(created)d targets set, %(kept)d of yours kept.")
                             % {"created": len(adoption.created), "kept": len(adoption.kept)})
        elif action == "add":
            form = TargetForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_form_errors(form))
            data = form.cleaned_data
            service.set_target(request.user, region, data["indicator"], data["value"], data["deadline"],
                               data["source_document"], data["judged_at"], data["operator"], data["divisor"])
            messages.success(request, _("Target saved."))
        elif action in ("override", "retire"):
            target = (Target.objects.visible_to(request.user)
                      .filter(pk=request.POST.get("target") or 0, jurisdiction_code=region.prefix).first()
                      if (request.POST.get("target") or "").isdigit() else None)
            if target is None:
                raise Http404
            if action == "retire":
                service.retire(request.user, target)
                messages.success(request, _("Target retired."))
            else:
                form = OverrideForm(request.POST, indicator_id=target.indicator)
                if not form.is_valid():
                    raise ValidationError(_form_errors(form))
                data = form.cleaned_data
                service.override(request.user, target, value=data["value"], deadline=data["deadline"],
                                 source_document=data["source_document"], divisor=data["divisor"])
                messages.success(request, _("Target changed."))
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return back
