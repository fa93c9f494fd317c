"""The page side of the workflow kit: one view for every workflow button (cases, rounds, applications).

The form posts the action, the comment, the version the user saw and any step data. The view calls the kit's
``transition()``, the same service the API calls, and answers:

- done: back to the object, with what happened;
- refused (PermissionDenied) or incomplete (ValidationError): back to the object, with the reasons;
- stale (TransitionConflict: someone acted first): 409, the object's page as it is now, with the conflict message
  and the comment the user typed kept in the form, so nothing they wrote is lost.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registry.generic import scoped
from registry.workflow import TransitionConflict, transition

CONFLICT = 409


def transition_view(model, detail_view, form_class, *, step_data=None, offered=None, after=None, form_kwargs=None,
                    act=None):
    """A function view taking ``model``'s workflow steps from its detail page.

    ``detail_view`` renders the object again on a conflict; ``form_class`` parses the post (``action``, ``comment``,
    optional ``version`` and step fields); ``step_data(cleaned_data)`` is the data handed to the step's effect;
    ``offered(step)`` says whether a page may take the step (internal steps are taken by services only);
    ``after(obj)`` is where the user lands afterwards (the object's own page by default); ``form_kwargs(obj)`` adds
    arguments to the form (e.g. the documents a reviewer may return); ``act(obj, step, user, data)`` takes the step
    when it writes more than the kit's ``transition()`` in the same transaction (``data`` is the cleaned form).
    """
    offered = offered or (lambda step: not step.internal)
    after = after or (lambda obj: obj.get_absolute_url())

    @scoped(model)
    @require_POST
    def view(request, obj):
        form = form_class(request.POST, **(form_kwargs(obj) if form_kwargs else {}))
        if not form.is_valid():
            messages.error(request, _("The request was incomplete; please try again."))
            return redirect(after(obj))
        data = form.cleaned_data
        step = obj.workflow.get(data["action"])
        if step is None or not offered(step):
            messages.error(request, _("Unknown action."))
            return redirect(after(obj))
        try:
            if act is not None:
                obj = act(obj, step, request.user, data)
            else:
                obj = transition(obj, step.action, request.user, comment=data["comment"],
                                 data=step_data(data) if step_data else {}, version=data.get("version"))
        except TransitionConflict as exc:
            return conflict_page(request, detail_view, obj, str(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("Your role may not do this."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(action)s: done. It is now “%(state)s”.")
                             % {"action": step.label, "state": obj.get_state_display()})
        return redirect(after(obj))

    return view


def conflict_page(request, detail_view, obj, message):
    """The object's page as it is now, answered 409: the conflict message on top, the user's comment kept."""
    typed = {"comment": request.POST.get("comment", "")}
    request.method = "GET"  # the detail view renders the object; nothing more is written
    response = detail_view.as_view(extra_context={"typed": typed, "conflict": message})(request, pk=obj.pk)
    response.status_code = CONFLICT
    return response
