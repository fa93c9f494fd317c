"""Bad import files end "rejected" with a message in the user's language, never an exception's raw text
(issue 19): files no parser reads, empty files, and junk values in otherwise good workbooks."""

import io
import re
import zipfile

import pytest
from django.utils import translation

from registry.choices import JobKind, JobStatus
from tests.lifecycle.test_import import HEADERS, row, run_import, workbook

CJK = re.compile(r"[\u4e00-\u9fff]")
# What leaked before: Python exception texts and reprs.
RAW = re.compile(r"<class|Error|NoneType|zip file|archive|Traceback|codec|\\x|object is not|literal", re.I)


def _zip_without_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return buffer.getvalue()


FILES = {
    "no-workbook-inside.xlsx": _zip_without_workbook(),
    "csv-named.xlsx": "组织名称,类别\n甲,乙\n".encode(),
    "binary.csv": bytes(range(256)) * 4,
    "empty.csv": b"",
    "header-only.xlsx": workbook([]),
    "junk-numbers.xlsx": workbook([row(组织名称="甲", 成员数="abc"), row(组织名称="乙", 成员数="1e999"),
                                   row(组织名称="丙", 成员数="-3"), row(组织名称="丁", 成员数="2.5")]),
    "columns-twice.csv": (",".join(HEADERS + HEADERS[:2]) + "\n" + ",".join(["x"] * (len(HEADERS) + 2))
                          + "\n").encode(),
}


@pytest.mark.parametrize("name", list(FILES))
def test_a_bad_file_is_rejected_with_a_translated_message(world, cast, name):
    with translation.override("zh-hans"):
        job = run_import(cast.street_a, FILES[name], name=name, kind=JobKind.IMPORT_ORGANIZATIONS)
    assert job.status == JobStatus.REJECTED, (job.status, job.error)
    messages = [m for error in job.result["errors"] for m in error["messages"]]
    assert messages and job.result["imported"] == 0
    for message in messages:
        assert CJK.search(message) and not RAW.search(message), message


def test_each_junk_number_is_named_in_its_row(world, cast):
    with translation.override("zh-hans"):
        job = run_import(cast.street_a, FILES["junk-numbers.xlsx"], name="junk.xlsx")
    by_row = {error["row"]: "；".join(error["messages"]) for error in job.result["errors"]}
    assert "abc" in by_row[2] and "成员数" in by_row[2]
    assert "1e999" in by_row[3] and "负数" in by_row[4] and "2.5" in by_row[5]
