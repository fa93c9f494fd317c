from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    # (url name, label, icon, menu group: see registry/navigation.py)
    ("filings:inbox", _("Waiting for me"), "inbox", "cases"),
    ("filings:case_list", _("All cases"), "folder2-open", "cases"),
]


def work_counts(user):
    """The home page's counts that lead to work: each is the count of the very list its link opens."""
    from django.http import QueryDict
    from django.urls import reverse

    from filings.filters import CaseFilterSet
    from filings.models import Case
    from filings.services import waiting_for

    cases = Case.objects.visible_to(user)
    counts = [{"key": "waiting", "label": _("Waiting for me"), "icon": "inbox",
               "count": waiting_for(user).count(), "url": reverse("filings:inbox"), "tone": "primary"}]
    for key, label, icon, query, tone in (
        ("returned", _("Returned"), "arrow-return-left", "state=returned", "warning"),
        ("due_soon", _("Due within 7 days"), "hourglass-split", "due_soon=true", "info"),
        ("overdue", _("Overdue"), "alarm", "overdue=true", "danger"),
    ):
        rows = CaseFilterSet(QueryDict(query), queryset=cases).qs
        counts.append({"key": key, "label": label, "icon": icon, "count": rows.count(),
                       "url": f"{reverse('filings:case_list')}?{query}", "tone": tone})
    return counts
