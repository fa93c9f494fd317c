"""The one access rule.

An object is visible to a user when its region lies in the subtree of one of the user's regions (a code-prefix
match, indexed), or when the user holds an explicit per-object grant (django-guardian ``view_<model>``). An
organization's own users hold a grant on their organization; the records that belong to it (its cases, documents,
certificates, ...) name the way to it in ``scope_organization_lookup`` and are visible to them through that grant.
Every page, form choice list, export, report, Celery job and API endpoint narrows its queryset with
``Model.objects.visible_to(user)``; nothing filters by jurisdiction on its own.
"""

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import BooleanField, F, Func, Q
from django.db.models.expressions import RawSQL

#: Past this many values ``among`` sends one array parameter (``= ANY(%s)``) instead of an ``IN`` list.
ARRAY_PAST = 1000


class ScopedQuerySet(models.QuerySet):
    """QuerySet of a model that belongs to a region: the one implementation of the access rule.

    A model says how its rows lead to the rule, and nothing more:

    - ``scope_region_lookup``: the lookup to its region code (e.g. ``"region_id"``, ``"organization__region_id"``),
      or None for a model that belongs to no region (a tracked job);
    - ``scope_allows_grants``: explicit per-object grants (django-guardian ``view_<model>``) also show a row;
    - ``scope_organization_lookup``: the way to the organization, whose own users see its records;
    - ``scope_owner_lookup``: the user a row belongs to, who always sees it (an expert's score sheet, a job);
    - ``scope_extra(user)``: a classmethod returning a further ``Q`` of rows the user sees (a round called by a
      region above the user's), or None;
    - ``scope_everything(user)``: a staticmethod saying who sees every row (default: ``user.sees_everything``).
    """

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        model = self.model
        everything = getattr(model, "scope_everything", None)
        if everything(user) if everything is not None else user.sees_everything:
            return self
        condition = Q()
        region_lookup = getattr(model, "scope_region_lookup", None)
        if region_lookup:
            for prefix in user.region_prefixes:
                condition |= Q(**{f"{region_lookup}__startswith": prefix})
        # The grants are read first, so a user without any (nearly every official) gets no "OR id IN (subquery)"
        # that would keep PostgreSQL from answering the region prefix alone from its index.
        granted = granted_keys(user, model)
        if granted:
            condition |= among("pk", granted, self.db)
        organization_lookup = getattr(model, "scope_organization_lookup", None)
        if organization_lookup and user.role == "organization":
            from django.apps import apps

            organization = apps.get_model("registry", "Organization")
            organizations = granted_keys(user, organization)
            if organizations:
                condition |= among(organization_lookup, organizations, self.db)
        owner_lookup = getattr(model, "scope_owner_lookup", None)
        if owner_lookup:
            condition |= Q(**{owner_lookup: user})
        extra = model.scope_extra(user) if hasattr(model, "scope_extra") else None
        if extra is not None:
            condition |= extra
        if not condition:
            return self.none()
        return self.filter(condition)


def granted_keys(user, model) -> list | None:
    """The keys of ``model`` rows the user holds an explicit view grant on, read now (None: no grants for it)."""
    granted = granted_pks(user, model)
    return None if granted is None else list(granted)


def among(field, values, using=DEFAULT_DB_ALIAS) -> Q:
    """``field`` is one of ``values`` (a user's grants, a whole column of a sheet, every organization of a
    refresh): an ``IN`` list for a few; past ``ARRAY_PAST``, where the database has arrays (PostgreSQL), one array
    parameter (``= ANY(%s)``), since PostgreSQL plans an ``IN`` list of thousands in time that grows with it and
    building thousands of parameters costs more than the query takes to run."""
    values = list(values)
    if len(values) <= ARRAY_PAST or connections[using].vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    array = "bigint[]" if all(isinstance(v, int) for v in values) else "text[]"
    # The list goes to the driver as it is (through an ArrayField each value would be prepared in Python).
    return Q(EqualsAny(F(field), RawSQL(f"%s::{array}", (values,))))  # noqa: S611 - a fixed cast; values a parameter


class EqualsAny(Func):
    """``expression = ANY(array)``."""

    arity = 2
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        (lhs, lhs_params), (rhs, rhs_params) = (compiler.compile(arg) for arg in self.get_source_expressions())
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def granted_pks(user, model):
    """Primary keys of ``model`` rows the user holds an explicit view grant on, as a subquery (or None)."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    if not getattr(model, "scope_allows_grants", False):
        return None
    content_type = ContentType.objects.get_for_model(model)
    codename = f"view_{model._meta.model_name}"
    object_pks = UserObjectPermission.objects.filter(
        user=user, content_type=content_type, permission__codename=codename
    ).values_list("object_pk", flat=True)
    pk_field = model._meta.pk
    if isinstance(pk_field, models.CharField):
        return object_pks
    # guardian stores object_pk as text; cast so the subquery compares like with like on PostgreSQL.
    return object_pks.annotate(
        as_int=models.functions.Cast("object_pk", models.BigIntegerField())
    ).values_list("as_int", flat=True)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


class _WholeTree:
    """Stands for "no jurisdiction limit" where a job reads a whole region for itself (the yearly report of a
    region covers all of it, whoever asked). Never a request's user."""

    is_authenticated = is_active = sees_everything = True
    is_superuser = False
    region_prefixes = ()
    primary_region = None
    pk = None
    role = ""


WHOLE_TREE = _WholeTree()
