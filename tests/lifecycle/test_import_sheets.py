"""Imports a clerk can fill (issue 15 item 5): a template with drop-downs limited to the user's jurisdiction, an
example row and a sheet of allowed values; a preview before anything is saved; numbers given to imported groups."""

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from registry.models import Job, Organization

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _template(client):
    response = client.get("/imports/template/import_organizations/")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _validations(sheet):
    """Header of the validated column → the validation's formula, for every list validation of the sheet."""
    headers = [cell.value for cell in sheet[1]]
    found = {}
    for validation in sheet.data_validations.dataValidation:
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        index = sum((ord(c) - 64) * 26 ** i for i, c in enumerate(reversed(column))) - 1
        found[headers[index]] = (validation.type, validation.formula1)
    return found


def _allowed(book, column):
    sheet = book["可选值"]
    headers = [cell.value for cell in sheet[1]]
    index = headers.index(column)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True) if row[index]]


def test_the_template_offers_drop_downs_of_the_users_own_jurisdiction(world, cast, client_for):
    book = _template(client_for(cast.street_a))
    assert book.sheetnames == ["数据", "示例", "可选值", "填写说明"]
    validations = _validations(book["数据"])
    for column in ("管理层级", "类别", "服务对象", "社区（区划）代码", "法人类型", "章程"):
        kind, formula = validations[column]
        assert kind == "list" and formula.startswith("'可选值'!$"), column
    # The region list is street A's streets and communities only, as "code name" (what the importer reads).
    regions = _allowed(book, "社区（区划）代码")
    assert regions == ["330106002 北山街道", "330106002001 宝石社区", "330106002201 葛岭村"]
    kind, formula = validations["社区（区划）代码"]
    assert formula.endswith(f"$2:${formula.split('$')[1]}${len(regions) + 1}")  # the list covers exactly them
    assert "filed" not in _allowed(book, "管理层级")  # labels, never codes
    assert "儿童" in _allowed(book, "服务对象") and "居民互助类" in _allowed(book, "类别")
    example = [cell.value for cell in book["示例"][2]]
    assert example[0] == "夕阳红互助队" and "330106002001 宝石社区" in example
    # Street B's clerk gets street B's list.
    assert _allowed(_template(client_for(cast.street_b)), "社区（区划）代码") == [
        "330106003 灵隐街道", "330106003001 玉泉社区"]


def _filled(client, rows):
    """The downloaded template with ``rows`` (header → value) typed into its data sheet."""
    book = _template(client)
    sheet = book["数据"]
    headers = [cell.value for cell in sheet[1]]
    allowed = {column: _allowed(book, column) for column in ("管理层级", "类别")}
    for values in rows:
        values = {"类别": allowed["类别"][2], **values}
        sheet.append([values.get(header, "") for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _tier(code):
    from registry.choices import Tier

    return str(Tier(code).label)


ROWS = [
    {"组织名称": "宝石社区舞蹈队", "管理层级": "filed", "社区（区划）代码": "330106002001 宝石社区",
     "服务对象": "妇女、儿童", "负责人": "王芳", "成员数": 30},
    {"组织名称": "葛岭村象棋小组", "管理层级": "community", "社区（区划）代码": "330106002201 葛岭村",
     "服务对象": "老年人（含独居、空巢、留守、失能）", "负责人": "李强", "成员数": 8},
    {"组织名称": "北山读书会", "管理层级": "filed", "社区（区划）代码": "330106002001", "负责人": "赵敏",
     "备案编号": "BA-OLD-7"},
]


def test_an_import_is_previewed_then_confirmed_and_numbers_are_given(world, cast, client_for,
                                                                     django_capture_on_commit_callbacks):
    clerk = client_for(cast.street_a)
    rows = [{**row, "管理层级": _tier(row["管理层级"])} for row in ROWS]
    content = _filled(clerk, rows)
    with time_machine.travel("2026-06-10 10:00:00+08:00", tick=False):
        shown = clerk.post("/imports/", {"kind": "import_organizations",
                                         "file": SimpleUploadedFile("orgs.xlsx", content, content_type=XLSX)})
        body = shown.content.decode()
        assert shown.status_code == 200 and 'data-testid="preview-rows"' in body
        assert "3 条记录将被新建" in body and "宝石社区舞蹈队" in body and "BA-OLD-7" in body
        assert 'data-testid="numbers-assigned"' in body and body.count('data-testid="assigned"') == 2
        assert not Organization.objects.exists() and not Job.objects.exists()  # nothing saved before confirming

        token = body.split('name="token" value="')[1].split('"')[0]
        with django_capture_on_commit_callbacks(execute=True):
            confirmed = clerk.post("/imports/", {"confirm": "1", "token": token})
        # The same preview cannot be confirmed twice.
        again = clerk.post("/imports/", {"confirm": "1", "token": token}, follow=True)
    assert Job.objects.count() == 1 and "重新上传" in again.content.decode()
    job = Job.objects.get()
    assert confirmed["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "succeeded", job.result
    dance = Organization.objects.get(name="宝石社区舞蹈队")
    assert dance.filing_number == "BA330106002-2026-0001"
    assert sorted(dance.target_groups.values_list("code", flat=True)) == ["children", "women"]
    chess = Organization.objects.get(name="葛岭村象棋小组")
    assert chess.ledger_number == "TZ330106002201-2026-001" and chess.filing_number is None
    assert Organization.objects.get(name="北山读书会").filing_number == "BA-OLD-7"  # its own number is kept


def test_a_preview_with_errors_offers_no_confirmation(world, cast, client_for):
    clerk = client_for(cast.street_a)
    content = _filled(clerk, [{"组织名称": "外街道读书会", "管理层级": _tier("filed"),
                               "社区（区划）代码": "330106003001 玉泉社区", "负责人": "钱七"}])
    body = clerk.post("/imports/", {"kind": "import_organizations",
                                    "file": SimpleUploadedFile("orgs.xlsx", content, content_type=XLSX)}
                      ).content.decode()
    assert 'data-testid="preview-errors"' in body and "330106003001" in body
    assert 'data-testid="confirm-import"' not in body
    assert not Organization.objects.exists()
