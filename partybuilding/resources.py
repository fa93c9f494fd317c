"""Excel import of Party-building data for existing organizations (django-import-export).

One row per organization, found by its number (USCC, filing number or ledger number) or else by its name and
the 12-digit code of its community. Every row is checked before anything is saved: unknown organization,
outside the user's jurisdiction, bad member count, bad Party organization form, unknown joint partner, bad date.
All rows or none; the errors name the spreadsheet row (the header is row 1).
"""

import re
from datetime import date, datetime

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from partybuilding.choices import PartyForm
from partybuilding.models import PartyBuilding
from registry.models import Organization
from registry.resources import WholeNumberWidget
from registry.services import ImportRejected, RowError, decode_upload

NUMBER = "组织编号"
NAME = "组织名称"
COMMUNITY = "社区代码"
JOINT_WITH = "联合党组织成员单位编号"

# The template's columns, in order: (column header, model field or None for the keys).
COLUMNS = [
    (NUMBER, None),
    (NAME, None),
    (COMMUNITY, None),
    ("正式党员数", "full_members"),
    ("预备党员数", "probationary_members"),
    ("党组织形式", "form"),
    ("党组织成立日期", "established_on"),
    ("上级党组织", "superior_organization"),
    (JOINT_WITH, None),
    ("双向进入", "two_way_entry"),
    ("交叉任职", "cross_appointment"),
    ("最近联系社区党组织日期", "last_contact_on"),
]
COLUMN_OF = {field: column for column, field in COLUMNS if field}

# Accepted spellings of the Party organization form; the template uses the Chinese ones.
FORM_VALUES = {
    "独立党组织": PartyForm.OWN, "单独党组织": PartyForm.OWN, "own": PartyForm.OWN,
    "联合党组织": PartyForm.JOINT, "joint": PartyForm.JOINT,
    "无": PartyForm.NONE, "未建": PartyForm.NONE, "none": PartyForm.NONE, "": PartyForm.NONE,
}
YES = {"是", "有", "yes", "y", "true", "1", "√"}
NO = {"否", "无", "no", "n", "false", "0", ""}
SEPARATORS = re.compile(r"[,，、;；\s]+")


def template_dataset() -> tablib.Dataset:
    return tablib.Dataset(headers=[column for column, _field in COLUMNS], title="党建情况")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _count(value, column, problems):
    text = _text(value)
    if not text:
        return 0
    if not text.isdigit():
        problems.append(_("%(column)s must be a whole number of 0 or more, not “%(value)s”")
                        % {"column": column, "value": text})
        return None
    return int(text)


def _date(value, column, problems):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    problems.append(_("%(column)s “%(value)s” is not a date (YYYY-MM-DD)") % {"column": column, "value": text})
    return None


def _flag(value, column, problems):
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    problems.append(_("%(column)s must be 是 or 否, not “%(value)s”") % {"column": column, "value": _text(value)})
    return None


def _find(number, name, community, user):
    """(organization, problem): the organization a row names, if it exists and the user may see it."""
    if number:
        matches = Organization.objects.filter(
            Q(uscc=number.upper()) | Q(filing_number=number) | Q(ledger_number=number))
        described = number
    elif name and community:
        matches = Organization.objects.open().filter(name=name, region_id=community)
        described = f"{name} ({community})"
    else:
        return None, _("give the organization's number, or its name and community code")
    found = list(matches[:2])
    if not found:
        return None, _("no organization %(org)s is on record") % {"org": described}
    if len(found) > 1:
        return None, _("%(org)s matches more than one organization; use its number") % {"org": described}
    organization = found[0]
    if not Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
        return None, _("organization %(org)s is outside your jurisdiction") % {"org": described}
    return organization, None


class PartyBuildingResource(resources.ModelResource):
    full_members = fields.Field("full_members", COLUMN_OF["full_members"], WholeNumberWidget())
    probationary_members = fields.Field("probationary_members", COLUMN_OF["probationary_members"],
                                        WholeNumberWidget())
    form = fields.Field("form", COLUMN_OF["form"])
    established_on = fields.Field("established_on", COLUMN_OF["established_on"], widgets.DateWidget())
    superior_organization = fields.Field("superior_organization", COLUMN_OF["superior_organization"])
    two_way_entry = fields.Field("two_way_entry", COLUMN_OF["two_way_entry"], widgets.BooleanWidget())
    cross_appointment = fields.Field("cross_appointment", COLUMN_OF["cross_appointment"], widgets.BooleanWidget())
    last_contact_on = fields.Field("last_contact_on", COLUMN_OF["last_contact_on"], widgets.DateWidget())

    class Meta:
        model = PartyBuilding
        fields = tuple(COLUMN_OF)
        clean_model_instances = True
        skip_diff = True

    def __init__(self, user, sheet_rows):
        super().__init__()
        self.user = user
        self.sheet_rows = sheet_rows
        self.seen = {}

    def before_import_row(self, row, row_number=None, **kwargs):
        """Checks and normalises the whole row, so each problem is reported in the user's words."""
        problems = []
        organization, problem = _find(_text(row.get(NUMBER)), _text(row.get(NAME)), _text(row.get(COMMUNITY)),
                                      self.user)
        if problem:
            problems.append(problem)
        elif organization.pk in self.seen:
            problems.append(_("the organization is already on row %(row)d") % {"row": self.seen[organization.pk]})
        else:
            self.seen[organization.pk] = self.sheet_rows[row_number - 1]
        for field in ("full_members", "probationary_members"):
            row[COLUMN_OF[field]] = _count(row.get(COLUMN_OF[field]), COLUMN_OF[field], problems)
        form_text = _text(row.get(COLUMN_OF["form"]))
        form = FORM_VALUES.get(form_text.lower())
        if form is None:
            problems.append(_("%(column)s must be 独立党组织, 联合党组织 or 无, not “%(value)s”")
                            % {"column": COLUMN_OF["form"], "value": form_text})
        row[COLUMN_OF["form"]] = form
        for field in ("established_on", "last_contact_on"):
            row[COLUMN_OF[field]] = _date(row.get(COLUMN_OF[field]), COLUMN_OF[field], problems)
        for field in ("two_way_entry", "cross_appointment"):
            row[COLUMN_OF[field]] = _flag(row.get(COLUMN_OF[field]), COLUMN_OF[field], problems)
        row[COLUMN_OF["superior_organization"]] = _text(row.get(COLUMN_OF["superior_organization"]))
        row["_partners"] = self._partners(_text(row.get(JOINT_WITH)), form, organization, problems)
        if problems:
            raise ValidationError(problems)
        row["_organization"] = organization

    def _partners(self, text, form, organization, problems):
        numbers = [number for number in SEPARATORS.split(text) if number]
        if numbers and form != PartyForm.JOINT:
            problems.append(_("joint partners are given only for a joint Party organization"))
            return []
        partners = []
        for number in numbers:
            partner, problem = _find(number, "", "", self.user)
            if problem:
                problems.append(_("joint partner: %(problem)s") % {"problem": problem})
            elif organization is not None and partner.pk == organization.pk:
                problems.append(_("an organization cannot be its own joint partner"))
            else:
                partners.append(partner)
        return partners

    def get_instance(self, instance_loader, row):
        return PartyBuilding.objects.filter(organization=row["_organization"]).first()

    def init_instance(self, row=None):
        return PartyBuilding(organization=row["_organization"])

    def before_save_instance(self, instance, row, **kwargs):
        instance.updated_by = self.user
        instance._history_user = self.user

    def after_save_instance(self, instance, row, **kwargs):
        partners = row["_partners"]
        if set(instance.joint_with.all()) != set(partners):
            instance._history_user = self.user
            instance.joint_with.set(partners)


def load_dataset(source, fmt) -> tuple[tablib.Dataset, list[int]]:
    """The non-empty rows of an uploaded file, and the spreadsheet row number of each."""
    try:
        if fmt == "csv":
            raw = decode_upload(source) if isinstance(source, bytes) else source
            loaded = tablib.Dataset().load(raw, format="csv")
        else:
            loaded = tablib.Dataset().load(source, format="xlsx")
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable upload is reported, nothing was written yet
        raise ImportRejected([RowError(0, _("The file cannot be read as %(fmt)s (%(error)s).")
                                       % {"fmt": fmt.upper(), "error": exc})]) from None
    headers = [_text(header) for header in loaded.headers or []]
    missing = [column for column, _field in COLUMNS if column not in headers]
    if missing:
        raise ImportRejected([RowError(1, _("Missing columns: %(columns)s") % {"columns": "、".join(missing)})])
    dataset, sheet_rows = tablib.Dataset(headers=headers), []
    for number, values in enumerate(loaded, start=2):
        if any(_text(value) for value in values):
            dataset.append(values)
            sheet_rows.append(number)
    if not sheet_rows:
        raise ImportRejected([RowError(0, _("The file has no rows."))])
    return dataset, sheet_rows


def import_rows(source, user, fmt="xlsx", dry_run=False) -> int:
    dataset, sheet_rows = load_dataset(source, fmt)
    resource = PartyBuildingResource(user, sheet_rows)
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=dry_run, use_transactions=True,
                                      rollback_on_validation_errors=True)
        errors = [RowError(sheet_rows[invalid.number - 1], "; ".join(invalid.error.messages))
                  for invalid in result.invalid_rows]
        errors += [RowError(sheet_rows[number - 1], "; ".join(str(error.error) for error in row_errors))
                   for number, row_errors in result.row_errors()]
        errors += [RowError(0, str(error.error)) for error in result.base_errors]
        if errors:
            raise ImportRejected(sorted(errors, key=lambda error: error.row))
        if dry_run:
            transaction.set_rollback(True)
    return len(sheet_rows)
