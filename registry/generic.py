"""Generic views: one implementation of the access rule, list, export and detail, with thin subclasses.

The queryset is narrowed to the user's jurisdiction in ``dispatch``; a subclass never filters by region itself.
An object outside the user's scope answers 404, so its existence is not leaked.
"""

from functools import wraps
from html import escape as escape_text

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.paginator import Paginator
from django.forms.utils import flatatt
from django.http import HttpRequest, QueryDict
from django.shortcuts import redirect
from django.utils.functional import Promise, cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.generic import DetailView
from django_filters.fields import ModelChoiceIterator as FilterChoiceIterator
from django_filters.views import FilterView
from django_filters.widgets import BooleanWidget
from django_tables2 import SingleTableMixin

from config.replicas import on_replica
from registry.exports import FORMATS, dataset_from_table, export_response
from registry.params import path_id, path_text


class ScopedViewMixin(LoginRequiredMixin):
    """Narrows ``queryset`` (or ``model.objects``) to what the user may see, before anything else runs."""

    model = None
    queryset = None
    #: Roles allowed to open the view at all; empty = any signed-in role.
    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.permits(request.user):
            raise PermissionDenied
        base = self.queryset if self.queryset is not None else self.model._default_manager.all()
        self.queryset = base.visible_to(request.user)
        return super().dispatch(request, *args, **_typed_path(kwargs))

    @classmethod
    def permits(cls, user) -> bool:
        """Who may open the view: checked in ``dispatch`` and by every menu and link to it (``may_open``)."""
        return not cls.roles or user.sees_everything or user.role in cls.roles

    def get_queryset(self):
        if self.queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} has no queryset")
        return self.queryset.all()


def _typed_path(kwargs):
    """Path parameters that cannot name an object (an id past 64 bits, a code with a NUL byte) are not found."""
    return {name: path_id(value) if name == "pk" or name.endswith("_pk") else
            path_text(value) if isinstance(value, str) else value for name, value in kwargs.items()}


class ListPaginator(Paginator):
    """Counts the filtered rows on a read replica when one is healthy (config/replicas.py)."""

    @cached_property
    def count(self):
        return on_replica(lambda: Paginator.count.func(self))


class QuickSelect(forms.Select):
    """A dropdown whose options are built in Python, straight from its choices. Django builds a dict per option
    and renders each through a template; a province's region filter has over a hundred, which made the filter
    form a fifth of a list page's time. Same markup as Django's select.html."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        chosen, parts = widget["value"], []
        has_selected = False
        for option_value, option_label in self.choices:
            group = isinstance(option_label, list | tuple)
            if group:
                parts.append(format_html('<optgroup label="{}">', option_value))
            for sub_value, sub_label in option_label if group else [(option_value, option_label)]:
                sub_value = "" if sub_value is None and not group else sub_value
                selected = not has_selected and str(sub_value) in chosen
                has_selected |= selected
                parts.append(f'<option value="{_text(sub_value)}"{" selected" if selected else ""}>'
                             f"{_text(sub_label)}</option>")
            if group:
                parts.append("</optgroup>")
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]),
                           mark_safe("".join(parts)))  # each part is escaped above


class QuickTextInput(forms.TextInput):
    """A text box written in Python, character for character as Django's input.html writes it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{_format_s(widget["value"])}"'
        return mark_safe(f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
                         f'{_attrs(widget["attrs"])}>')


class QuickBooleanSelect(BooleanWidget):
    """django-filter's yes/no dropdown written in Python, character for character as Django's select.html and
    select_option.html write it (their line breaks included)."""

    def render(self, name, value, attrs=None, renderer=None):
        try:
            value = {True: "true", False: "false", "1": "true", "0": "false"}[value]
        except KeyError:
            value = ""
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        chosen, options, has_selected = widget["value"], [], False
        for option_value, label in self.choices:
            selected = not has_selected and str(option_value) in chosen
            has_selected |= selected
            options.append(f'\n  <option value="{_format_s(option_value)}"{" selected" if selected else ""}>'
                           f"{_text(label)}</option>\n")
        return mark_safe(f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>{"".join(options)}'
                         "\n</select>")


def _format_s(value) -> str:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped (safe text too, as the filter returns plain)."""
    return escape_text("%s" % (value,))  # noqa: UP031 - the filter's own formatting


def _attrs(attrs) -> str:
    """Django's widgets/attrs.html: in order, False left out, True as a bare name."""
    return "".join(f" {_text(name)}" if value is True else f' {_text(name)}="{_format_s(value)}"'
                   for name, value in attrs.items() if value is not False)


def _text(value) -> str:
    """``conditional_escape(value)`` as text, without its lazy-argument wrapper (a province's dropdowns have
    hundreds of options)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape_text(str(value))


class ChoicesAtOnce(FilterChoiceIterator):
    """A filter dropdown's choices read by one plain query. Django reads them through ``QuerySet.iterator()``, a
    server-side cursor: three round trips (DECLARE, FETCH, CLOSE) for a few dozen rows, per dropdown."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ObjectListView(ScopedViewMixin, SingleTableMixin, FilterView):
    """FilterSet + table + export of the same filtered rows + an HTMX partial for paging and filtering."""

    template_name = "generic/object_list.html"
    partial_template_name = "generic/_object_table.html"
    # The table paginates; ListView's own pagination (paginate_by) would count the rows a second time.
    paginator_class = ListPaginator
    table_pagination = {"per_page": 50}
    export_basename = "export"
    title = ""
    create_url_name = None

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for field in filterset.form.fields.values():
            if type(field.widget) is forms.Select:
                field.widget.__class__ = QuickSelect
            elif type(field.widget) is forms.TextInput:
                field.widget.__class__ = QuickTextInput
            elif isinstance(field.widget, BooleanWidget) and type(field.widget).render is BooleanWidget.render:
                field.widget.__class__ = QuickBooleanSelect
            if isinstance(field, forms.ModelChoiceField) and field.iterator is FilterChoiceIterator:
                field.iterator = ChoicesAtOnce
                field.widget.choices = field.choices
        return filterset

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in FORMATS:
            return self.export(fmt)
        return super().get(request, *args, **kwargs)

    def export_table(self):
        filterset = self.get_filterset(self.get_filterset_class())
        usable = not filterset.is_bound or filterset.is_valid()  # unbound = no filter = every visible row
        rows = filterset.qs if usable else self.get_queryset().none()
        return self.get_table_class()(rows, exclude=("actions",))

    def export(self, fmt):
        table = self.export_table()
        if len(table.rows) > settings.EXPORT_SYNC_LIMIT:
            return self.export_as_job(fmt)
        return export_response(dataset_from_table(table), fmt, self.export_basename,
                               title=self.title or self.model._meta.verbose_name_plural)

    def export_as_job(self, fmt):
        """A large export becomes a tracked job: the worker writes the file, the page shows progress."""
        from registry.choices import JobKind
        from registry.jobs import start
        from registry.models import Job

        query = self.request.GET.copy()
        query.pop("export", None)
        job = Job.objects.create(kind=JobKind.EXPORT, created_by=self.request.user, parameters={
            "view": f"{type(self).__module__}.{type(self).__qualname__}", "query": query.urlencode(), "format": fmt})
        start(job)
        return redirect("registry:job_detail", pk=job.pk)

    @classmethod
    def table_for(cls, user, query: str):
        """The table this list shows ``user`` for ``query``: how a background export rebuilds the same rows."""
        request = HttpRequest()
        request.method, request.GET, request.user = "GET", QueryDict(query), user
        view = cls()
        view.setup(request)
        base = cls.queryset if cls.queryset is not None else cls.model._default_manager.all()
        view.queryset = base.visible_to(user)
        return view.export_table()

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.partial_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context.update(
            title=self.title or self.model._meta.verbose_name_plural,
            querystring=query.urlencode(),
            export_formats=list(FORMATS),
            create_url_name=self.create_url_name,
            partial_template_name=self.partial_template_name,
        )
        return context


class ObjectDetailView(ScopedViewMixin, DetailView):
    pass


def region_for_page(user, code=None):
    """The region a page or endpoint shows: the one asked for if the user may see it (404 otherwise, and for a
    code that is not digits, which never reaches the database), else the user's own, else the top of what they
    see; None when they see no region at all."""
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    from registry.models import Region

    regions = Region.objects.visible_to(user).select_related("parent__parent__parent__parent")
    if code:
        if not code.isdigit():
            raise Http404
        return get_object_or_404(regions, code=code)
    if user.primary_region is not None:
        return regions.get(code=user.primary_region.code)
    return regions.filter(parent=None).order_by("code").first()


def fetch_visible(source, user, **lookup):
    """The one object of ``source`` (a model or a queryset) that ``lookup`` names among those ``user`` may see;
    404 when it is out of scope or does not exist (its existence is not leaked). Every view that acts on an
    object named by the URL, the query string or a form fetches it here (``scoped`` below does for the URL)."""
    from django.shortcuts import get_object_or_404

    base = source._default_manager.all() if isinstance(source, type) else source.all()
    return get_object_or_404(base.visible_to(user), **lookup)


def scoped(model, *, queryset=None, kwarg="pk"):
    """A function view that acts on one object of ``model``: signs the user in, fetches the object the URL names
    through ``visible_to(request.user)`` (404 when it is out of scope or does not exist) and hands it to the view
    in place of the URL's ``kwarg``. ``queryset`` narrows further (select_related, only current rows...).

    The view never looks its object up itself, so it cannot forget the access rule; the permission matrix reads
    ``scoped_model`` to know which factory builds the object.
    """
    from django.contrib.auth.views import redirect_to_login

    def decorate(view):
        @wraps(view)
        def fetching(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            key = kwargs.pop(kwarg)
            key = path_id(key) if isinstance(key, int) else path_text(key)
            obj = fetch_visible(queryset if queryset is not None else model, request.user, pk=key)
            return view(request, obj, *args, **kwargs)

        fetching.scoped_model = model
        return fetching

    return decorate
