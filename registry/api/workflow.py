"""The API side of the workflow kit: one ``transition`` action for every viewset of a workflow object (cases,
rounds, applications), calling the kit's ``transition()`` like the page does. A refusal answers 403, a stale state
409 (registry/api/errors.py), both with the page's words."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from registry import workflow


def transition_action(request_serializer, response_serializer, *, doc, step_data=None, offered=None):
    """The viewset's ``transition`` action: ``request_serializer`` parses ``action``, ``comment``, ``version`` and
    step fields, ``step_data(validated_data)`` is handed to the step's effect, ``offered(step)`` says whether the
    API may take the step (internal steps are taken by services only)."""
    offered = offered or (lambda step: not step.internal)

    def transition(self, request, pk=None):
        obj = self.get_object()
        data = request_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        step = obj.workflow.get(values["action"])
        if step is None or not offered(step):
            raise ValidationError({"action": "unknown"})
        obj = workflow.transition(obj, step.action, request.user, comment=values.get("comment", ""),
                         data=step_data(values) if step_data else {}, version=values.get("version"))
        return Response(self.get_serializer(obj).data)

    transition.__doc__ = doc
    schema = extend_schema(request=request_serializer, responses={200: response_serializer, 409: OpenApiTypes.OBJECT})
    return schema(action(detail=True, methods=["post"])(transition))
