"""The import templates of existing organizations, activities and trainings: their columns (django-import-export
fields and widgets), the checks a column cannot make alone, and how their records are written.

Headers are Chinese, as the bureaus' spreadsheets are. The engine (registry/import_engine.py) checks every row
first; nothing is imported unless every row is valid.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from simple_history.utils import bulk_create_with_history

from registry.choices import CharterKind, Grade, LegalForm, RegionLevel, Tier, TraineeKind, Vocabulary
from registry.models import Activity, Organization, Region, Term, Training
from registry.personal import validate_id_number

# Limits checked on the upload itself, before any parser sees it (a 1 GiB zip bomb is refused in milliseconds).
MAX_IMPORT_BYTES = 20 * 1024 * 1024       # the file as uploaded
MAX_IMPORT_UNCOMPRESSED = 200 * 1024 * 1024  # an XLSX (a zip) once unpacked, as its directory declares
MAX_IMPORT_ROWS = 100_000


def validate_import_file(upload):
    """Refuses an import file that is too large, unpacks too large, or has too many rows, reading only the zip
    directory (XLSX) or counting line breaks (CSV): nothing is parsed or decompressed."""
    import zipfile

    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is larger than %(mb)d MB; split it into several files.")
                              % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(upload) as archive:
                entries = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise ValidationError(_("The file is not a readable XLSX workbook.")) from None
        finally:
            upload.seek(0)
        if len(entries) > 1000 or sum(entry.file_size for entry in entries) > MAX_IMPORT_UNCOMPRESSED:
            raise ValidationError(_("The workbook unpacks to more than %(mb)d MB; split it into several files.")
                                  % {"mb": MAX_IMPORT_UNCOMPRESSED // (1024 * 1024)})
        rows = _declared_rows(upload, entries)
    else:
        rows = sum(chunk.count(b"\n") for chunk in iter(lambda: upload.read(1 << 20), b""))
        upload.seek(0)
    if rows > MAX_IMPORT_ROWS + 1:
        raise ValidationError(_("The file has more than %(rows)d rows; split it into several files.")
                              % {"rows": MAX_IMPORT_ROWS})


def _declared_rows(upload, entries) -> int:
    """The row count a worksheet declares in its <dimension ref="A1:K5001"> (the first bytes of its XML)."""
    import re
    import zipfile

    rows = 0
    with zipfile.ZipFile(upload) as archive:
        for entry in entries:
            if entry.filename.startswith("xl/worksheets/sheet") and entry.filename.endswith(".xml"):
                with archive.open(entry) as sheet:
                    found = re.search(rb'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"', sheet.read(4096))
                if found and found.group(1):
                    rows = max(rows, int(found.group(1)))
    upload.seek(0)
    return rows


class ChoiceWidget(widgets.Widget):
    """Accepts a choice by its value or by its label in either language (e.g. "filed", "街道备案")."""

    def __init__(self, choices, required=False, **kwargs):
        self.choices, self.required, self._values = choices, required, None
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            if self.required:
                raise ValueError(_("this column is required"))
            return ""
        if self._values is None:  # once per import, not per cell: switching languages per cell is slow
            from django.utils import translation

            self._values = {}
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    for choice in self.choices:
                        self._values.update({choice.value: choice.value, str(choice.label): choice.value})
        if text in self._values:
            return self._values[text]
        raise ValueError(_("%(value)r is not one of: %(allowed)s") % {
            "value": text, "allowed": "、".join(str(c.label) for c in self.choices)})

    def render(self, value, obj=None, **kwargs):
        return value


class TermWidget(widgets.Widget):
    """A code-list entry by its Chinese name, English name or code."""

    def __init__(self, vocabulary, required=True, **kwargs):
        self.vocabulary, self.required, self._cache = vocabulary, required, None
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            if self.required:
                raise ValueError(_("this column is required"))
            return None
        if self._cache is None:
            self._cache = {}
            for term in Term.objects.of(self.vocabulary):
                for key in (term.code, term.name, term.name_en):
                    self._cache[key] = term
        if text not in self._cache:
            raise ValueError(_("%(value)r is not in the code list") % {"value": text})
        return self._cache[text]

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class TermListWidget(TermWidget):
    """Several code-list entries in one cell, separated by 、 , ; or a line break (e.g. "老年人、儿童")."""

    # A separator inside brackets belongs to the term: "老年人（含独居、空巢、留守、失能）" is one entry.
    SEPARATORS = re.compile(r"[、,，;；\n]+(?![^（(]*[)）])")

    def clean(self, value, row=None, **kwargs):
        parts = [part.strip() for part in self.SEPARATORS.split(str(value or "")) if part.strip()]
        if not parts:
            if self.required:
                raise ValueError(_("this column is required"))
            return []
        terms = []
        for part in parts:
            term = super().clean(part, row, **kwargs)
            if term not in terms:
                terms.append(term)
        return terms

    def render(self, value, obj=None, **kwargs):
        return "、".join(term.name for term in value or [])


class RegionWidget(widgets.Widget):
    """A region by its code, among those the importing user may see."""

    def __init__(self, levels, required=True, **kwargs):
        self.levels, self.user, self._cache, self.required = levels, None, None, required
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        # Excel may hand a number back as "330106002001.0"; the template's drop-down offers "330106002001 宝石社区".
        text = str(value or "").strip()
        code = text.split()[0].split(".")[0] if text else ""
        if not code:
            if not self.required:
                return None
            raise ValueError(_("this column is required"))
        if self._cache is None:
            regions = Region.objects.filter(level__in=self.levels)
            if self.user is not None:
                regions = regions.visible_to(self.user)
            self._cache = {region.code: region for region in regions}
        if code not in self._cache:
            raise ValueError(_("region %(code)s is unknown or outside your jurisdiction") % {"code": code})
        return self._cache[code]

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class OrganizationWidget(widgets.Widget):
    """An organization by its USCC, filing number, ledger number or name, among those the user may see."""

    def __init__(self, required=True, **kwargs):
        self.user, self.required = None, required
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        reference = str(value or "").strip()
        if not reference and not self.required:
            return None
        organization = find_organization(reference, self.user)
        if organization is None:
            raise ValueError(_("organization %(ref)r is unknown or outside your jurisdiction") % {"ref": reference})
        return organization

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class NumberWidget(widgets.DecimalWidget):
    """A decimal number; junk ("abc", "1e999") is a row error naming the value, not Python's exception."""

    def clean(self, value, row=None, **kwargs):
        from decimal import Decimal, InvalidOperation

        try:
            number = super().clean(value, row, **kwargs)
        except (InvalidOperation, ValueError, TypeError):
            number = Decimal("NaN")
        if number is not None and not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number.") % {"value": str(value)[:50]})
        return number


class WholeNumberWidget(NumberWidget):
    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        if number is not None and (number != number.to_integral_value() or abs(number) > 2**31 - 1):
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": str(value)[:50]})
        return None if number is None else int(number)


class CountWidget(WholeNumberWidget):
    """A count; an empty cell is 0."""

    def clean(self, value, row=None, **kwargs):
        count = super().clean(value, row, **kwargs) or 0
        if count < 0:
            raise ValueError(_("A count cannot be negative."))
        return count


def unreadable_file_message(exc) -> list[str]:
    """What a user is told about an import file no parser could read (the exception itself goes to the log)."""
    messages = getattr(exc, "messages", None)
    if messages:
        return [str(m) for m in messages]
    return [_("The file could not be read. Save it as XLSX (or CSV in UTF-8 or GB18030) from the import "
              "template and try again.")]


class YesNoWidget(widgets.BooleanWidget):
    TRUE_VALUES = ["是", "1", 1, True, "true", "TRUE", "True", "yes", "Y", "y"]
    FALSE_VALUES = ["否", "0", 0, False, "false", "FALSE", "False", "no", "N", "n"]

    def clean(self, value, row=None, **kwargs):
        if value in ("", None):
            return False
        return super().clean(value, row, **kwargs)


class ScopedResource(resources.ModelResource):
    """A template's columns (declared fields and widgets) bound to the importing user, and the hooks the import
    engine (registry/import_engine.py) calls for the checks a column cannot make alone."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field.widget, RegionWidget | OrganizationWidget):
                field.widget.user = user

    # Checks of one cell the model's clean() also makes, run by the engine once per distinct value of the column.
    CELL_CHECKS = {}

    def before_rows(self, sheet, columns):
        """Once per file, before any row is checked: load what the row checks compare with."""

    def prepare(self, instance):
        """A row's record, its columns set, before it is checked."""

    def check_row(self, instance, number, errors):
        """Adds to ``errors`` (field -> messages) what is wrong with spreadsheet row ``number`` beyond its cells."""

    def save_instances(self, instances):
        """The import itself, once every row passed (the caller holds the transaction)."""
        self._save(instances)

    def _save(self, instances):
        # Keep a history row for every imported record of a model with history, as for one created through a page
        # (activities and trainings have none: the record itself is their history).
        from registry.changes import AnnouncesWrites, announce
        from registry.import_engine import can_copy, copy_insert

        model = self._meta.model
        with_history = hasattr(model, "history")
        if can_copy():
            copy_insert(model, instances, history=(self.user, "import") if with_history else None)
            queryset = model.objects.all()
            if isinstance(queryset, AnnouncesWrites):  # COPY sends no signal: the figures follow as for a bulk write
                announce(queryset._ids_of(instances))
        elif with_history:
            bulk_create_with_history(instances, model, batch_size=1000, default_user=self.user,
                                     default_change_reason="import")
        else:
            model.objects.bulk_create(instances, batch_size=1000)


class OrganizationResource(ScopedResource):
    name = fields.Field(attribute="name", column_name="组织名称", widget=widgets.CharWidget())
    tier = fields.Field(attribute="tier", column_name="管理层级", widget=ChoiceWidget(Tier, required=True))
    legal_form = fields.Field(attribute="legal_form", column_name="法人类型", widget=ChoiceWidget(LegalForm))
    category = fields.Field(attribute="category", column_name="类别", widget=TermWidget(Vocabulary.CATEGORY))
    # Not a model field: the terms wait on the instance until the rows are inserted (bulk inserts skip M2M).
    import_target_groups = fields.Field(attribute="import_target_groups", column_name="服务对象",
                                        widget=TermListWidget(Vocabulary.TARGET_GROUP, required=False))
    region = fields.Field(attribute="region", column_name="社区（区划）代码",
                          widget=RegionWidget((RegionLevel.COUNTY, RegionLevel.STREET, RegionLevel.COMMUNITY)))
    founded_on = fields.Field(attribute="founded_on", column_name="成立日期", widget=widgets.DateWidget("%Y-%m-%d"))
    leader_name = fields.Field(attribute="leader_name", column_name="负责人", widget=widgets.CharWidget())
    leader_id_number = fields.Field(attribute="leader_id_number", column_name="负责人身份证号码",
                                    widget=widgets.CharWidget())
    leader_phone = fields.Field(attribute="leader_phone", column_name="负责人联系电话", widget=widgets.CharWidget())
    leader_is_party_member = fields.Field(attribute="leader_is_party_member", column_name="负责人是否党员",
                                          widget=YesNoWidget())
    member_count = fields.Field(attribute="member_count", column_name="成员数", widget=CountWidget())
    venue = fields.Field(attribute="venue", column_name="活动场所", widget=widgets.CharWidget())
    charter_kind = fields.Field(attribute="charter_kind", column_name="章程", widget=ChoiceWidget(CharterKind))
    hub_kind = fields.Field(attribute="hub_kind", column_name="枢纽型组织类别",
                            widget=TermWidget(Vocabulary.HUB_KIND, required=False))
    uscc = fields.Field(attribute="uscc", column_name="统一社会信用代码", widget=widgets.CharWidget())
    filing_number = fields.Field(attribute="filing_number", column_name="备案编号", widget=widgets.CharWidget())
    ledger_number = fields.Field(attribute="ledger_number", column_name="社区培育台账编号", widget=widgets.CharWidget())
    supervising_unit = fields.Field(attribute="supervising_unit", column_name="业务主管单位",
                                    widget=widgets.CharWidget())
    legal_representative = fields.Field(attribute="legal_representative", column_name="法定代表人",
                                        widget=widgets.CharWidget())
    domicile = fields.Field(attribute="domicile", column_name="住所", widget=widgets.CharWidget())
    startup_funds = fields.Field(attribute="startup_funds", column_name="开办（活动）资金（元）",
                                 widget=NumberWidget())
    grade = fields.Field(attribute="grade", column_name="评估等级", widget=ChoiceWidget(Grade))

    REQUIRED = ("name", "tier", "category", "region", "leader_name")

    class Meta:
        model = Organization
        fields = ("name", "tier", "legal_form", "category", "import_target_groups", "region", "founded_on",
                  "leader_name", "leader_id_number", "leader_phone", "leader_is_party_member", "member_count", "venue",
                  "charter_kind", "hub_kind",
                  "uscc", "filing_number", "ledger_number", "supervising_unit", "legal_representative", "domicile",
                  "startup_funds", "grade")
        import_id_fields = ()  # every row is a new record (registry/import_engine.py); an existing one is a duplicate

    NUMBER_FIELDS = ("uscc", "filing_number", "ledger_number")
    CELL_CHECKS = {"leader_id_number": validate_id_number}

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.seen_names, self.seen_numbers = {}, {}
        self.existing_names, self.existing_numbers = set(), set()

    def before_rows(self, sheet, columns):
        """One query per column for what already exists, instead of uniqueness queries per row."""
        def values(name):
            index = sheet.headers.index(self.fields[name].column_name)
            return {str(row[index]).strip() for row in sheet.rows if row[index] not in ("", None)}

        from registry.scoping import among

        self.existing_names = set(Organization.objects.open().filter(among("name", values("name")))
                                  .values_list("region_id", "name"))
        for field in self.NUMBER_FIELDS:
            numbers = {v.split(".")[0] for v in values(field)}
            if field == "uscc":
                numbers = {v.upper() for v in numbers}
            self.existing_numbers |= {(field, v) for v in Organization.objects.filter(
                among(field, numbers)).values_list(field, flat=True)}

    def prepare(self, instance):
        for field in self.NUMBER_FIELDS:
            if getattr(instance, field) == "":
                setattr(instance, field, None)

    def check_row(self, instance, number, errors):
        """Names unique among a community's open organizations, numbers unique, in the file and the registry."""
        if instance.name and instance.region_id:
            key = (instance.region_id, instance.name)
            if key in self.seen_names:
                errors.setdefault("name", []).append(_("duplicate of row %(row)d") % {"row": self.seen_names[key]})
            elif key in self.existing_names:
                errors.setdefault("name", []).append(
                    _("an open organization of this name already exists in this community"))
            self.seen_names.setdefault(key, number)
        for field in self.NUMBER_FIELDS:
            value = getattr(instance, field)
            if not value:
                continue
            key = (field, value.upper() if field == "uscc" else value)
            if key in self.seen_numbers:
                errors.setdefault(field, []).append(_("duplicate of row %(row)d") % {"row": self.seen_numbers[key]})
            elif key in self.existing_numbers:
                errors.setdefault(field, []).append(_("%(value)s is already on record") % {"value": value})
            self.seen_numbers.setdefault(key, number)

    def _save(self, instances):
        """Numbers for the groups that come without one (备案编号, 台账编号: NUMBERING, offered by filings), then
        the rows, then their target groups."""
        from registry.import_engine import can_copy, copy_insert

        for assign in NUMBERING:
            assign(instances)
        super()._save(instances)
        through = Organization.target_groups.through
        links = [through(organization_id=organization.pk, term_id=term.pk) for organization in instances
                 for term in getattr(organization, "import_target_groups", None) or []]
        if can_copy():
            copy_insert(through, links)
        else:
            through.objects.bulk_create(links, batch_size=1000)

    def dehydrate_import_target_groups(self, organization):
        return "、".join(term.name for term in organization.target_groups.all()) if organization.pk else ""


# Functions that give imported organizations their issued numbers before they are inserted. The numbers come from
# filings' sequences, so filings registers its function here (filings/apps.py), as partybuilding registers its
# trigger into registry.lifecycle.FLAG_TRIGGERS.
NUMBERING = []


class ActivityResource(ScopedResource):
    organization = fields.Field(attribute="organization", column_name="组织编号或名称", widget=OrganizationWidget())
    held_on = fields.Field(attribute="held_on", column_name="活动日期", widget=widgets.DateWidget("%Y-%m-%d"))
    title = fields.Field(attribute="title", column_name="活动名称", widget=widgets.CharWidget())
    place = fields.Field(attribute="place", column_name="活动地点", widget=widgets.CharWidget())
    participants = fields.Field(attribute="participants", column_name="参与人数", widget=CountWidget())
    beneficiaries = fields.Field(attribute="beneficiaries", column_name="受益人数", widget=CountWidget())
    campaign = fields.Field(attribute="campaign", column_name="主题活动",
                            widget=TermWidget(Vocabulary.CAMPAIGN, required=False))

    class Meta:
        model = Activity
        fields = ("organization", "held_on", "title", "place", "participants", "beneficiaries", "campaign")
        import_id_fields = ()

    def prepare(self, instance):
        instance.recorded_by = self.user

    def save_instances(self, instances):
        super().save_instances(instances)
        self.follow_last_activity({instance.organization_id for instance in instances})

    def follow_last_activity(self, organization_ids):
        """Each organization's last activity date follows its latest imported activity."""
        from django.db.models import Max

        latest = Activity.objects.filter(organization_id__in=organization_ids).values("organization").annotate(
            last=Max("held_on"))
        for entry in latest:
            Organization.objects.filter(pk=entry["organization"]).exclude(
                last_activity_on__gte=entry["last"]).update(last_activity_on=entry["last"])


class TrainingResource(ScopedResource):
    region = fields.Field(attribute="region", column_name="区划代码",
                          widget=RegionWidget(tuple(RegionLevel.values), required=False))
    # The organization of a trained head, so imported head trainings count (DOMAIN.md §3 rule 23).
    organization = fields.Field(attribute="organization", column_name="组织编号或名称",
                                widget=OrganizationWidget(required=False))
    person_name = fields.Field(attribute="person_name", column_name="姓名", widget=widgets.CharWidget())
    trainee_kind = fields.Field(attribute="trainee_kind", column_name="人员类别",
                                widget=ChoiceWidget(TraineeKind, required=True))
    course = fields.Field(attribute="course", column_name="培训课程", widget=widgets.CharWidget())
    held_on = fields.Field(attribute="held_on", column_name="培训日期", widget=widgets.DateWidget("%Y-%m-%d"))
    hours = fields.Field(attribute="hours", column_name="学时", widget=NumberWidget())

    class Meta:
        model = Training
        fields = ("region", "organization", "person_name", "trainee_kind", "course", "held_on", "hours")
        import_id_fields = ()

    def prepare(self, instance):
        instance.recorded_by = self.user
        if instance.hours is None:
            instance.hours = 0
        if instance.region_id is None and instance.organization_id is not None:
            instance.region = instance.organization.region

    def check_row(self, instance, number, errors):
        if instance.region_id is None and "region" not in errors and "organization" not in errors:
            errors["region"] = [_("Fill in the region code or the organization.")]


def find_organization(reference, user):
    from django.db.models import Q

    if not reference:
        return None
    organizations = Organization.objects.visible_to(user) if user is not None else Organization.objects.all()
    return organizations.filter(
        Q(uscc=reference) | Q(filing_number=reference) | Q(ledger_number=reference) | Q(name=reference)
    ).order_by("pk").first()


RESOURCES = {
    "import_organizations": OrganizationResource,
    "import_activities": ActivityResource,
    "import_trainings": TrainingResource,
}
