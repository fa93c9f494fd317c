"""Pages of the supply–demand board: the staff's side (/board/...) and the organizations' side (/org/board/...).

Every action calls its service in grants/matching.py; every object is fetched through the access rule (``scoped``)
and every page declares the check its menu entry and buttons ask (``permits``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grants import matching
from grants.matching_filters import PostingFilterSet
from grants.matching_forms import ActivityForm, EvaluationForm, InterestForm, PostingForm, WithdrawForm
from grants.matching_models import Interest, Pairing, Posting, PostingState
from grants.matching_tables import PostingTable
from registry.generic import ObjectListView, scoped
from registry.middleware import is_organization_user
from registry.models import Activity, Organization
from registry.permissions import permits


def _report(request, form, exc):
    """A service's refusal on the form (field errors on their fields) or as a message."""
    if isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or _("Your role may not do this."))
        return
    if form is not None and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    for message in exc.messages:
        if form is not None:
            form.add_error(None, message)
        else:
            messages.error(request, message)


# ------------------------------------------------------------------------------------------------ staff

class PostingListView(ObjectListView):
    model = Posting
    queryset = Posting.objects.select_related("category", "region").annotate(interest_count=Count("interests")) \
        .order_by("-published_at", "-pk")
    table_class = PostingTable
    filterset_class = PostingFilterSet
    create_url_name = "grants:posting_create"
    export_basename = "needs-and-projects"

    @classmethod
    def permits(cls, user):
        return matching.may_view_board(user)


@login_required
@permits(matching.may_publish)
@require_http_methods(["GET", "POST"])
def posting_create(request):
    form = PostingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            posting = matching.publish(request.user, **data)
        except (PermissionDenied, ValidationError) as exc:
            _report(request, form, exc)
        else:
            messages.success(request, _("Published: organizations can now see it and express interest."))
            return redirect(posting)
    return render(request, "grants/simple_form.html", {"form": form, "title": _("Publish a need or service project")})


def _pairing_activities(pairing):
    return pairing.activities.order_by("held_on", "pk") if pairing is not None else Activity.objects.none()


@permits(matching.may_view_board)
@scoped(Posting, queryset=Posting.objects.select_related("category", "region", "published_by"))
def posting_detail(request, posting):
    pairing = Pairing.objects.visible_to(request.user).filter(posting=posting).select_related("organization").first()
    may_act = matching.may_publish(request.user)
    interests = list(Interest.objects.visible_to(request.user).filter(posting=posting)
                     .select_related("organization__category", "organization__region"))
    # An organization from beyond the publisher's jurisdiction may offer (第八条): its name shows, its record's
    # page (which would answer 404) is not linked.
    linkable = set(Organization.objects.visible_to(request.user)
                   .filter(pk__in=[i.organization_id for i in interests]).values_list("pk", flat=True))
    return render(request, "grants/matching/posting_detail.html", {
        "posting": posting, "pairing": pairing, "may_act": may_act, "interests": interests, "linkable": linkable,
        "activities": _pairing_activities(pairing),
        "events": posting.events.select_related("actor"),
        "withdraw_form": WithdrawForm(), "open": posting.state == PostingState.OPEN,
        "matched": posting.state == PostingState.MATCHED,
    })


@permits(matching.may_publish)
@scoped(Interest, queryset=Interest.objects.select_related("posting", "organization"))
@require_POST
def interest_pick(request, interest):
    try:
        matching.pick(request.user, interest)
    except (PermissionDenied, ValidationError) as exc:
        _report(request, None, exc)
    else:
        messages.success(request, _("%(organization)s is picked; the pairing is recorded.")
                         % {"organization": interest.organization.name})
    return redirect(interest.posting)


def _activity_page(request, pairing, done_url, template):
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            matching.record_activity(request.user, pairing, **form.cleaned_data)
        except (PermissionDenied, ValidationError) as exc:
            _report(request, form, exc)
        else:
            messages.success(request, _("The activity is recorded on the organization's record."))
            return redirect(done_url)
    return render(request, template, {"form": form, "pairing": pairing, "cancel_url": done_url,
                                      "title": _("Record an activity of the pairing")})


@permits(matching.may_publish)
@scoped(Pairing, queryset=Pairing.objects.select_related("posting", "organization"))
@require_http_methods(["GET", "POST"])
def pairing_activity(request, pairing):
    return _activity_page(request, pairing, pairing.posting.get_absolute_url(), "grants/matching/activity_form.html")


@permits(matching.may_publish)
@scoped(Pairing, queryset=Pairing.objects.select_related("posting", "organization"))
@require_http_methods(["GET", "POST"])
def pairing_evaluate(request, pairing):
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            matching.evaluate(request.user, pairing, **form.cleaned_data)
        except (PermissionDenied, ValidationError) as exc:
            _report(request, form, exc)
        else:
            messages.success(request, _("The residents' evaluation is recorded; the posting is done."))
            return redirect(pairing.posting)
    return render(request, "grants/matching/activity_form.html", {
        "form": form, "pairing": pairing, "cancel_url": pairing.posting.get_absolute_url(),
        "title": _("Residents' evaluation")})


@permits(matching.may_publish)
@scoped(Posting)
@require_POST
def posting_withdraw(request, posting):
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the posting is withdrawn."))
        return redirect(posting)
    try:
        matching.withdraw(request.user, posting, form.cleaned_data["reason"])
    except (PermissionDenied, ValidationError) as exc:
        _report(request, None, exc)
    else:
        messages.success(request, _("The posting is withdrawn."))
    return redirect(posting)


# ------------------------------------------------------------------------------------------------ organizations

@login_required
@permits(is_organization_user)
def org_board(request):
    """Open postings, nearest first (the organization's community, street, district, then further), and the
    organization's own interests and pairings."""
    organization = matching.interested_organization(request.user)
    own_interests = Interest.objects.visible_to(request.user).filter(organization=organization)
    postings = (Posting.objects.visible_to(request.user).filter(state=PostingState.OPEN)
                .select_related("category", "region__parent").prefetch_related("target_groups")
                .prefetch_related(Prefetch("interests", queryset=own_interests, to_attr="own_interests"))
                .nearest_first(organization.region))
    return render(request, "grants/matching/org_board.html", {
        "organization": organization, "postings": postings[:100],
        "interests": own_interests.select_related("posting__region").order_by("-expressed_at"),
    })


@login_required
@permits(is_organization_user)
@scoped(Posting, queryset=Posting.objects.select_related("category", "region__parent"))
@require_http_methods(["GET", "POST"])
def org_posting(request, posting):
    """A posting as an organization sees it, and the form to express interest."""
    own = Interest.objects.visible_to(request.user).filter(posting=posting).first()
    form = InterestForm(request.POST or None) if own is None and posting.state == PostingState.OPEN else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Your organization has already expressed interest in this posting.") if own
                           else _("This posting is no longer open."))
            return redirect("grants:org_posting", pk=posting.pk)
        if form.is_valid():
            try:
                interest = matching.express_interest(request.user, posting, form.cleaned_data["message"])
            except (PermissionDenied, ValidationError) as exc:
                _report(request, form, exc)
            else:
                messages.success(request, _("Your interest is sent to the publisher."))
                return redirect("grants:org_interest", pk=interest.pk)
    return render(request, "grants/matching/org_posting.html", {"posting": posting, "own": own, "form": form})


@login_required
@permits(is_organization_user)
@scoped(Interest, queryset=Interest.objects.select_related("posting__region", "posting__category"))
def org_interest(request, interest):
    pairing = Pairing.objects.visible_to(request.user).filter(interest=interest).first()
    return render(request, "grants/matching/org_interest.html", {
        "interest": interest, "posting": interest.posting, "pairing": pairing,
        "activities": _pairing_activities(pairing),
        "may_record": pairing is not None and interest.posting.state == PostingState.MATCHED,
    })


@login_required
@permits(is_organization_user)
@scoped(Pairing, queryset=Pairing.objects.select_related("posting", "organization", "interest"))
@require_http_methods(["GET", "POST"])
def org_pairing_activity(request, pairing):
    return _activity_page(request, pairing, reverse("grants:org_interest", args=[pairing.interest_id]),
                          "grants/matching/activity_form.html")

