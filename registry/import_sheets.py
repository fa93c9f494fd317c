"""Import templates a clerk can fill, and the preview shown before an import is confirmed.

The organizations template has drop-downs (data validation) for every coded column, drawn from a sheet of allowed
values that lists only the communities and streets of the user's own jurisdiction; an example row on its own sheet
(so it is never imported by mistake); the instructions. The workbook is written by the one spreadsheet writer
(registry/exports.py) and the validations are added to what it wrote.
"""

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from registry.choices import CharterKind, Grade, JobKind, LegalForm, RegionLevel, Tier, Vocabulary
from registry.exports import workbook_bytes
from registry.import_engine import Importer, Sheet
from registry.models import Region, Term
from registry.resources import RESOURCES, OrganizationResource

DATA, ALLOWED, EXAMPLE, HELP = "数据", "可选值", "示例", "填写说明"
# Rows of the data sheet that carry the drop-downs (the importer itself takes more; these are for typing).
VALIDATED_ROWS = 5000
# The longest list of regions offered in the drop-down (a province-wide administrator types the code instead).
MAX_REGIONS = 20000
MULTIPLE = {"服务对象"}  # several values in one cell: the drop-down helps, a typed list is kept

INSTRUCTIONS = [
    "填写说明",
    "1. 在“数据”工作表中每行填写一个社会组织；第一行为列名，请勿修改。“示例”工作表中有一行填写示例（不会被导入）。",
    "2. 带下拉箭头的列请从下拉列表中选择；可选值见“可选值”工作表。社区（区划）只列出您管辖范围内的街道和社区。",
    "3. 必填列：组织名称、管理层级、类别、社区（区划）代码、负责人。",
    "4. 服务对象可填写多个，用“、”分隔，例如：老年人、儿童。",
    "5. 街道备案的组织未填写备案编号、社区培育（台账）的组织未填写台账编号时，导入时自动分配。",
    "6. 登记的社会组织须填写法人类型和统一社会信用代码（以51、52、53或59开头）。",
    "7. 负责人身份证号码须为有效的18位号码；日期格式为 YYYY-MM-DD。",
    "8. 上传后先显示预览（将新建哪些组织、分配哪些编号、哪些行有误），确认后才导入；任何一行有误则整个文件均不导入。",
]


def allowed_values(user) -> dict[str, list[str]]:
    """Column name → the values its drop-down offers, as labels in the user's language (never codes), and the
    regions of the user's jurisdiction as "code name"."""
    regions = (Region.objects.visible_to(user).filter(level__in=(RegionLevel.STREET, RegionLevel.COMMUNITY))
               .order_by("code").values_list("code", "name")[:MAX_REGIONS])
    return {
        "管理层级": [str(choice.label) for choice in Tier],
        "法人类型": [str(choice.label) for choice in LegalForm],
        "类别": [term.name for term in Term.objects.of(Vocabulary.CATEGORY)],
        "服务对象": [term.name for term in Term.objects.of(Vocabulary.TARGET_GROUP)],
        "社区（区划）代码": [f"{code} {name}" for code, name in regions],
        "章程": [str(choice.label) for choice in CharterKind],
        "枢纽型组织类别": [term.name for term in Term.objects.of(Vocabulary.HUB_KIND)],
        "评估等级": [str(choice.label) for choice in Grade],
        "负责人是否党员": ["是", "否"],
    }


def example_row(headers, allowed) -> list:
    first = {column: (values[0] if values else "") for column, values in allowed.items()}
    community = next((value for value in allowed["社区（区划）代码"] if len(value.split()[0]) == 12),
                     first["社区（区划）代码"])
    values = {
        "组织名称": "夕阳红互助队", "管理层级": str(Tier.FILED.label), "类别": first["类别"],
        "服务对象": "、".join(allowed["服务对象"][:2]), "社区（区划）代码": community, "成立日期": "2024-05-01",
        "负责人": "张桂英", "负责人联系电话": "13812345678", "负责人是否党员": "是", "成员数": 25,
        "活动场所": "社区活动室", "章程": str(CharterKind.SIMPLIFIED.label),
    }
    return [values.get(header, "") for header in headers]


def organization_template(user) -> bytes:
    headers = [f.column_name for f in OrganizationResource().get_import_fields()]
    allowed = allowed_values(user)
    columns = list(allowed)
    longest = max(len(values) for values in allowed.values())
    allowed_rows = [columns] + [[allowed[c][i] if i < len(allowed[c]) else "" for c in columns]
                                for i in range(longest)]
    widths = {DATA: {get_column_letter(i): max(12, len(h) * 2 + 2) for i, h in enumerate(headers, start=1)},
              EXAMPLE: {get_column_letter(i): max(12, len(h) * 2 + 2) for i, h in enumerate(headers, start=1)},
              ALLOWED: {get_column_letter(i): 24 for i in range(1, len(columns) + 1)}, HELP: {"A": 110}}
    raw = workbook_bytes({DATA: [headers], EXAMPLE: [headers, example_row(headers, allowed)],
                          ALLOWED: allowed_rows, HELP: [[line] for line in INSTRUCTIONS]}, widths, bold_headers=True)
    book = load_workbook(io.BytesIO(raw))
    sheet = book[DATA]
    for index, column in enumerate(columns, start=1):
        if column not in headers or not allowed[column]:
            continue
        source = get_column_letter(index)
        target = get_column_letter(headers.index(column) + 1)
        multiple = column in MULTIPLE
        validation = DataValidation(
            type="list", formula1=f"'{ALLOWED}'!${source}$2:${source}${len(allowed[column]) + 1}",
            allow_blank=True, showErrorMessage=True, errorStyle="warning" if multiple else "stop",
            errorTitle=column, error=("可填写多个，用“、”分隔。" if multiple else "请从下拉列表中选择。"),
            promptTitle=column, prompt="从列表中选择" + ("，可填写多个，用“、”分隔" if multiple else ""),
            showInputMessage=True)
        validation.add(f"{target}2:{target}{VALIDATED_ROWS + 1}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ preview

PREVIEW_ROWS = 20  # rows shown on the preview page
# Larger files are checked by the background job only: 3,000 rows took 7.6 s to preview on a loaded two-core test
# machine, longer than a page should keep a clerk waiting.
PREVIEW_LIMIT = 2000


@dataclass
class Preview:
    total: int = 0
    errors: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (row number, name, tier, region, number as it will be)
    numbers_assigned: int = 0
    checked: bool = True

    @property
    def created(self) -> int:
        return 0 if self.errors else self.total


def preview(kind, sheet: Sheet, user) -> Preview:
    """What the import would do, computed by the same validation the job runs, and nothing saved."""
    result = Preview(total=len(sheet))
    if result.total > PREVIEW_LIMIT:
        result.checked = False
        return result
    importer = Importer(RESOURCES[kind](user=user))
    missing = importer.missing_columns(sheet)
    if missing:
        result.errors.append({"row": 1, "messages": [_("Missing columns: %(columns)s") % {
            "columns": "、".join(missing)}]})
        return result
    if result.total == 0:
        result.errors.append({"row": 1, "messages": [_("The file has no data rows.")]})
        return result
    result.errors = importer.validate(sheet)
    if kind == JobKind.IMPORT_ORGANIZATIONS:
        for number, instance in enumerate(importer.instances[:PREVIEW_ROWS], start=2):
            own = instance.uscc or instance.filing_number or instance.ledger_number
            assigned = not own and instance.tier in (Tier.FILED, Tier.COMMUNITY)
            result.rows.append((number, instance.name, instance.get_tier_display(),
                                f"{instance.region_id} {instance.region.name}", own or "", assigned))
        result.numbers_assigned = sum(1 for instance in importer.instances
                                      if instance.tier in (Tier.FILED, Tier.COMMUNITY)
                                      and not (instance.filing_number or instance.ledger_number))
    return result
