"""The import engine every import template shares: the sheet read once, each column checked value by value (a value
repeated down a column is checked once), the rows checked as records, then all of them written together.

A template is a resource of ``registry.resources`` (its columns, their widgets, the model); the engine asks it
for the checks a column cannot make alone (``prepare``, ``check_rows``) and writes what it built: with
PostgreSQL's COPY, records and their history rows, or through the ORM elsewhere (the embedded SQLite mode).
Nothing is written unless every row is valid; the caller holds the transaction, so a failed write leaves the
database as it was.
"""

import csv
import io
import logging
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ForeignKey, ManyToManyField
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

CHUNK = 500  # rows checked between two progress reports (each column's checked values are kept across chunks)
MISSING = object()


@dataclass
class Sheet:
    """The data rows of an import file under its (stripped) headers; empty rows are dropped."""

    headers: list[str]
    rows: list[list]

    def __len__(self):
        return len(self.rows)


class UnreadableFile(ValueError):
    """The import file could not be parsed at all; ``messages`` say so in the user's language."""

    def __init__(self, messages):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = messages


def _cell(value):
    # A spreadsheet keeps every number as a float: 20.0 is the 20 the clerk typed (and "BA-1" stays text).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_sheet(raw: bytes, name: str) -> Sheet:
    """The first worksheet of an XLSX (python-calamine: read once, no per-cell objects), or a CSV in UTF-8 or
    GB18030. Raises UnreadableFile with a message for the user."""
    from registry.resources import unreadable_file_message

    try:
        if name.lower().endswith(".xlsx"):
            from python_calamine import CalamineWorkbook

            table = CalamineWorkbook.from_filelike(io.BytesIO(raw)).get_sheet_by_index(0).to_python(
                skip_empty_area=False)
        else:
            from registry.services import decode_upload

            table = list(csv.reader(io.StringIO(decode_upload(raw))))
    except UnreadableFile:
        raise
    except Exception as exc:  # any parser's failure on a bad file: the user gets a message, the log the cause
        logger.info("import: unreadable file %s: %r", name, exc)
        messages = getattr(exc, "messages", None)
        raise UnreadableFile(messages or unreadable_file_message(exc)) from exc
    if not table or not any(str(value).strip() for value in table[0]):
        raise UnreadableFile([_("The file is empty.")])
    headers = [str(value).strip() for value in table[0]]
    while headers and not headers[-1]:
        headers.pop()
    rows = []
    for values in table[1:]:
        values = [_cell(v) for v in values[:len(headers)]]
        if any(str(v).strip() for v in values if v is not None):
            rows.append(values + [""] * (len(headers) - len(values)))
    return Sheet(headers, rows)


@dataclass
class Column:
    """One template column: where it is in the sheet, how a cell becomes a value, how the model checks it."""

    index: int
    field: object  # import_export.fields.Field
    model_field: object | None  # the model field it fills (None: not a plain model field)
    looked_up: bool  # a related row its widget fetched (in scope, in the code list): already checked
    cache: dict = field(default_factory=dict)


class Importer:
    """``validate(sheet)`` then, when it found no error, ``save()`` inside the caller's transaction."""

    def __init__(self, resource):
        self.resource = resource
        self.model = resource._meta.model
        self.instances = []  # built and checked, in sheet order
        self.errors = []  # [{"row": spreadsheet row, "messages": [...]}]

    def missing_columns(self, sheet) -> list[str]:
        return [f.column_name for f in self.resource.get_import_fields() if f.column_name not in sheet.headers]

    def columns(self, sheet) -> list[Column]:
        from registry.resources import OrganizationWidget, RegionWidget, TermWidget

        concrete = {f.attname: f for f in self.model._meta.concrete_fields}
        concrete.update({f.name: f for f in self.model._meta.concrete_fields})
        out = []
        for import_field in self.resource.get_import_fields():
            model_field = concrete.get(import_field.attribute)
            looked_up = isinstance(import_field.widget, RegionWidget | OrganizationWidget | TermWidget)
            if isinstance(model_field, ForeignKey | ManyToManyField):
                model_field = None
            out.append(Column(sheet.headers.index(import_field.column_name), import_field, model_field, looked_up))
        return out

    def validate(self, sheet, progress=lambda done: None) -> list[dict]:
        columns = self.columns(sheet)
        self.resource.before_rows(sheet, columns)
        for start in range(0, len(sheet.rows), CHUNK):
            self._validate_chunk(sheet.rows[start:start + CHUNK], start, columns)
            progress(min(start + CHUNK, len(sheet.rows)))
        self.errors.sort(key=lambda e: e["row"])
        return self.errors

    def _clean(self, column, raw):
        """(value, [messages]) for one distinct cell value of a column: the widget, then the model field's own
        checks (length, choices, blank), as a form would make them."""
        key = (type(raw), raw) if not isinstance(raw, list) else None
        cached = column.cache.get(key, MISSING) if key is not None else MISSING
        if cached is not MISSING:
            return cached
        try:
            value = column.field.clean({column.field.column_name: raw})
            messages = []
        except ValueError as exc:
            value, messages = None, [str(exc)]
        except ValidationError as exc:
            value, messages = None, list(exc.messages)
        except (TypeError, ArithmeticError) as exc:  # deep inside a parser: no message for a user (the log has it)
            logger.info("import column %s: %r", column.field.column_name, exc)
            value, messages = None, [_("This row could not be read: check its numbers, dates and choices against "
                                       "the template.")]
        model_field = column.model_field
        checked = not messages and model_field is not None and not column.looked_up
        # An empty cell is checked on the row, once the template's defaults are in (``prepare``).
        if checked and value not in model_field.empty_values:
            try:
                value = model_field.clean(value, None)
            except ValidationError as exc:
                value, messages = None, list(exc.messages)
        check = self.resource.CELL_CHECKS.get(column.field.attribute)
        if check is not None and not messages and value not in ("", None):
            try:
                value = check(value)
            except ValidationError as exc:
                value, messages = None, list(exc.messages)
        outcome = (value, messages)
        if key is not None:
            column.cache[key] = outcome
        return outcome

    def _validate_chunk(self, rows, offset, columns):
        model, resource = self.model, self.resource
        values = [[self._clean(column, row[column.index]) for row in rows] for column in columns]
        # Every field at its default, copied for each row (building a record costs 0.1 ms); a model with a
        # mutable default (a list, a dict) builds each one, so no two records share it.
        prototype = model()
        shared = not any(isinstance(v, list | dict | set) for v in prototype.__dict__.values())
        for position in range(len(rows)):
            number = offset + position + 2  # spreadsheet row: the header is row 1
            if shared:
                instance = model.__new__(model)
                instance.__dict__.update(prototype.__dict__)
                instance._state = ModelState()
            else:
                instance = model()
            errors = {}
            for column, cleaned in zip(columns, values, strict=True):
                value, messages = cleaned[position]
                attribute = column.field.attribute
                if messages:
                    errors[attribute] = list(messages)
                elif value is not None or column.field.saves_null_values:
                    setattr(instance, attribute, value)
            resource.prepare(instance)
            for column, cleaned in zip(columns, values, strict=True):
                model_field = column.model_field
                if (model_field is None or column.looked_up or cleaned[position][1]
                        or cleaned[position][0] not in model_field.empty_values):
                    continue
                value = getattr(instance, model_field.attname)
                if not (model_field.blank and value in model_field.empty_values):
                    try:
                        setattr(instance, model_field.attname, model_field.clean(value, instance))
                    except ValidationError as exc:
                        errors[column.field.attribute] = list(exc.messages)
            resource.check_row(instance, number, errors)
            # The model's clean() would repeat the column checks made once per distinct value (an ID number's
            # costs a third of a millisecond): it sees those cells empty, and the checked values afterwards.
            checked = {name: getattr(instance, name) for name in self.resource.CELL_CHECKS}
            for name in checked:
                setattr(instance, name, "")
            try:
                instance.clean()
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
            for name, value in checked.items():
                setattr(instance, name, value)
            if errors:
                self.errors.append({"row": number, "messages": self._messages(errors)})
            else:
                self.instances.append(instance)

    @cached_property
    def _column_names(self) -> dict:
        return {f.attribute: f.column_name for f in self.resource.get_import_fields()}

    def _messages(self, errors) -> list[str]:
        columns = self._column_names
        messages = []
        for attribute, field_errors in errors.items():
            column = columns.get(attribute, "" if attribute in ("__all__", "NON_FIELD_ERRORS") else attribute)
            for message in field_errors:
                message = " ".join(message.messages) if isinstance(message, ValidationError) else str(message)
                messages.append(f"{column}：{message}" if column else message)
        return messages

    def save(self) -> int:
        self.resource.save_instances(self.instances)
        return len(self.instances)


# ------------------------------------------------------------------------------------------------ writing

def can_copy() -> bool:
    return connection.vendor == "postgresql"


def _allocate_ids(cursor, model, count) -> list[int]:
    """Primary keys drawn from the table's own sequence (COPY returns none), one round trip for all."""
    meta = model._meta
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                   [meta.db_table, meta.pk.column, count])
    return [row[0] for row in cursor.fetchall()]


def copy_rows(model, columns, rows, cursor=None):
    """Writes ``rows`` (values in the order of ``columns``, column names) into ``model``'s table with PostgreSQL's
    COPY, each value as the database takes it (prepared by the caller)."""
    quote = connection.ops.quote_name
    statement = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with (connection.cursor() if cursor is None else nullcontext(cursor)) as cursor, \
            connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:  # Django's IntegrityError & co.
        for row in rows:
            copy.write_row(row)


def _preparer(field):
    """instance -> the field's database value. A value repeated down a column (a tier, a community, a date) is
    prepared once; an encrypted one every time (equal tokens would show equal ID numbers)."""
    from registry.fields import EncryptedCharField

    def prepare(instance):
        return field.get_db_prep_save(field.pre_save(instance, True), connection)

    if isinstance(field, EncryptedCharField) or getattr(field, "auto_now", False) or getattr(
            field, "auto_now_add", False):
        return prepare
    cache, attname = {}, field.attname

    def cached(instance):
        value = getattr(instance, attname)
        try:
            key = (type(value), value)
            return cache[key]
        except KeyError:
            cache[key] = prepared = prepare(instance)
            return prepared
        except TypeError:  # unhashable (a JSON value)
            return prepare(instance)

    return cached


def copy_insert(model, instances, history=None) -> None:
    """Inserts ``instances`` of ``model`` with COPY, giving them their primary keys, and, when ``history`` is a
    (user, reason) pair, one "+" history row each (django-simple-history's table, as bulk_create_with_history
    writes it). Values go through each field's own preparation (encryption included), once per record: the
    history row reuses the record's."""
    if not instances:
        return
    fields = list(model._meta.concrete_fields)
    pk = model._meta.pk
    with connection.cursor() as cursor:
        if any(getattr(instance, pk.attname) is None for instance in instances):
            for instance, pk_value in zip(instances, _allocate_ids(cursor, model, len(instances)), strict=True):
                setattr(instance, pk.attname, pk_value)
        prepare = [(f.attname, _preparer(f)) for f in fields]
        prepared = []
        for instance in instances:
            prepared.append({attname: prep(instance) for attname, prep in prepare})
            instance._state.adding, instance._state.db = False, connection.alias
        copy_rows(model, [f.column for f in fields], ([row[f.attname] for f in fields] for row in prepared), cursor)
        if history is None:
            return
        user, reason = history
        historical = model.history.model
        history_fields = list(historical._meta.concrete_fields)
        own = {
            "history_date": timezone.now(), "history_change_reason": reason, "history_type": "+",
            "history_user_id": getattr(user, "pk", None),
        }
        history_ids = _allocate_ids(cursor, historical, len(instances))
        copy_rows(historical, [f.column for f in history_fields], (
            [history_id if f.attname == "history_id" else own[f.attname] if f.attname in own else row[f.attname]
             for f in history_fields]
            for row, history_id in zip(prepared, history_ids, strict=True)), cursor)

