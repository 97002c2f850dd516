"""Shared pieces of the REST API: role permissions, validation errors, background-task status."""

from celery.result import AsyncResult
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView


def role_permission(*, read=None, write=()):
    """A DRF permission: ``read`` roles (None: every signed-in user) may read, ``write`` roles may write."""

    class RolePermission(permissions.BasePermission):
        def has_permission(self, request, view):
            user = request.user
            if not (user and user.is_authenticated):
                return False
            if request.method in permissions.SAFE_METHODS:
                return read is None or user.has_role(*read)
            return user.has_role(*write)

    return RolePermission


class LabelField(serializers.CharField):
    """The label of a choice value, as ``get_<field>_display()`` gives it: a list names the label field per row,
    and DRF inspects the signature of a callable source on every row (a tenth of a referral page's time)."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


class ScopedChoiceField(serializers.PrimaryKeyRelatedField):
    """A related row the caller may pick: one of ``choices(user)`` for the request's user; another reads as "does
    not exist". The queryset is built when input is validated, not each time a serializer is made to write a
    list out (a client list built two, one with a query, and used neither). ``queryset`` is what the
    schema and a serializer without a request see."""

    def __init__(self, choices, **kwargs):
        self.choices_for = choices
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.choices_for(request.user) if request is not None else super().get_queryset()


def raise_as_drf(exc: DjangoValidationError):
    """Re-raise a model/service ``ValidationError`` as a DRF 400 with the fields named."""
    if hasattr(exc, "error_dict"):
        raise ValidationError(exc.message_dict) from exc
    # API.md Errors: a message not tied to a field is ``{"detail": "..."}``, a string.
    raise ValidationError({"detail": " ".join(str(message) for message in exc.messages)}) from exc


class TaskStatusView(APIView):
    """State and progress of a background job (API.md Conventions)."""

    @extend_schema(
        responses=inline_serializer(
            "TaskStatus", {"task_id": serializers.CharField(), "state": serializers.CharField(),
                           "progress": serializers.FloatField()}
        )
    )
    def get(self, request, task_id: str):
        result = AsyncResult(task_id)
        state = result.state
        info = result.info if isinstance(result.info, dict) else {}
        if state == "SUCCESS":
            progress = 100
        else:
            progress = info.get("progress", 0)
        return Response({"task_id": task_id, "state": state, "progress": progress})
