"""The one shape of a workflow's event row (cases, rounds, applications): who, when, which step, from which state to
which, and why. Timelines render every kind with one template partial (templates/registry/_timeline.html)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkflowEvent(models.Model):
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=24, blank=True)
    to_state = models.CharField(_("to"), max_length=24, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    #: the states of the object's workflow (value, label), for the timeline
    state_choices = ()
    #: labels of recorded actions that are not steps of the workflow (created, edited, uploaded, ...)
    action_labels = {}

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return self.action

    @property
    def workflow(self):
        """The workflow of the object the event belongs to (a subclass names it)."""
        raise NotImplementedError

    @property
    def label(self):
        if self.action in self.action_labels:
            return self.action_labels[self.action]
        step = self.workflow.get(self.action)
        return step.label if step else self.action

    def _state_label(self, value):
        return dict(self.state_choices).get(value, value)

    def get_from_state_display(self):
        return self._state_label(self.from_state)

    def get_to_state_display(self):
        return self._state_label(self.to_state)
