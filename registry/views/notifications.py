"""The user's notifications: the list (unread first), opening one, marking them read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from registry import params
from registry.models import Notification
from registry.notifications import mark_read

__all__ = ["notification_list"]


@login_required
def notification_list(request):
    if request.method == "POST":
        opened = params.object_id(request.POST, "open")
        if opened:
            notification = Notification.objects.visible_to(request.user).filter(pk=opened).first()
            mark_read(request.user, [opened])
            if notification and notification.url and url_has_allowed_host_and_scheme(
                    notification.url, allowed_hosts=None):
                return redirect(notification.url)
        else:
            mark_read(request.user)
        return redirect("registry:notifications")
    notes = Notification.objects.visible_to(request.user).order_by(F("read_at").desc(nulls_first=True),
                                                                    "-created_at")
    page = Paginator(notes, 50).get_page(params.integer(request.GET, "page", 1, minimum=1))
    return render(request, "registry/notifications.html", {"page": page,
                                                           "unread": notes.filter(read_at__isnull=True).count()})
