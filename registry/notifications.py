"""In-app notifications (counted in the header until read), mailed too when an SMTP server is configured.

The mail leaves after the commit, from a Celery task that loads the row by id: a rolled-back action sends nothing
and a slow SMTP server never holds a page.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registry.models import Notification, NotificationKind, User


def notify(user, key, message, url="", kind=NotificationKind.REMINDER) -> bool:
    """One notification per user and key (a job may run twice); returns whether it is new."""
    notification, created = Notification.objects.get_or_create(
        user=user, key=key[:120], defaults={"message": str(message)[:300], "url": url, "kind": kind})
    if created and settings.EMAIL_NOTIFICATIONS and user.email:
        from registry.queue import enqueue
        from registry.tasks import mail_notification

        transaction.on_commit(lambda: enqueue(mail_notification, notification.pk))
    return created


def mail(notification_id) -> bool:
    from django.core.mail import send_mail

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or not notification.user.email:
        return False
    link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    send_mail(notification.message[:78], f"{notification.message}\n{link}".strip(), None, [notification.user.email])
    return True


def unread(user):
    return Notification.objects.visible_to(user).filter(read_at__isnull=True)


def mark_read(user, ids=None) -> int:
    """Marks the user's own notifications read (all unread ones, or those of ``ids``); others' are never touched."""
    notes = unread(user)
    if ids is not None:
        notes = notes.filter(pk__in=ids)
    return notes.update(read_at=timezone.now())


def people_of(region, roles):
    """Active users of these roles whose jurisdiction contains the region (posted to it or to an ancestor)."""
    codes = [r.code for r in region.ancestors(include_self=True)]
    return User.objects.filter(regions__code__in=codes, is_active=True, role__in=roles).distinct()
