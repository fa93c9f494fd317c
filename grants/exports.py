"""The round as a spreadsheet: one row per application with its decision and reason, then the totals."""

from django.utils.translation import gettext as _

from registry.exports import dataset_from_rows


def summary_dataset(round_, applications):
    from grants.services import round_summary

    headers = [_("Rank"), _("Project"), _("Organization"), _("Tier"), _("Counts for the ring-fence"), _("Track"),
               _("Requested (yuan)"), _("Score"), _("State"), _("Reason"), _("Awarded (yuan)")]
    rows = []
    for a in applications.select_related("organization__region", "other_applicant", "track").order_by("rank", "pk"):
        rows.append([a.rank, a.title, a.applicant.name, a.applicant.get_tier_display(),
                     _("Yes") if a.is_cso and round_.counts_for_ring_fence(a.organization) else _("No"), a.track.name,
                     a.amount_requested, a.score, a.get_state_display(), str(a.reason_label or ""),
                     a.awarded_amount])
    summary = round_summary(round_, applications)
    rows.append([])
    rows.append(["", _("Total awarded"), "", "", "", "", "", "", "", "", summary["total"]])
    rows.append(["", _("To community organizations"), "", "", "", "", "", "", "", f"{summary['share']}%",
                 summary["community"]])
    rows.append(["", _("Ring-fence"), "", "", "", "", "", "", "", f"{summary['ring_fence_pct']}%",
                 _("met") if summary["ring_fence_met"] else _("not met")])
    return dataset_from_rows(headers, rows)
