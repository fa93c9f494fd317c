import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("shequ")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

#: Task name -> queue (settings.CELERY_TASK_QUEUES). A tracked job goes by its kind: imports or exports.
QUEUES = {
    "reporting.tasks.build_yearly_report": "reports",
    "reporting.tasks.schedule_yearly_reports": "reports",
    "reporting.tasks.daily_snapshots": "daily",
    "filings.tasks.daily_lifecycle": "daily",
    "registry.tasks.requeue_waiting": "celery",
    # A notification's e-mail is short and must not wait behind imports or reports.
    "registry.tasks.mail_notification": "celery",
}


def route_task(name, args, kwargs, options, task=None, **kw):
    if name == "registry.tasks.run_job":
        from registry.choices import JobKind
        from registry.models import Job

        kind = Job.objects.filter(pk=args[0]).values_list("kind", flat=True).first() if args else None
        return {"queue": "exports" if kind == JobKind.EXPORT else "imports"}
    if name in QUEUES:
        return {"queue": QUEUES[name]}
    return None
