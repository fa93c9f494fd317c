"""The import engine (issue 16.2): a column checked once per distinct value, rows written with COPY on PostgreSQL,
each with its history row, the figures following, and nothing written when any row or the write itself fails."""

import pytest
from django.db import IntegrityError, connection, transaction

from registry.import_engine import Importer, Sheet
from registry.models import Organization
from registry.resources import OrganizationResource
from reporting import facts
from tests.factories import VALID_ID, OrganizationFactory
from tests.lifecycle.test_import import HEADERS, row

pytestmark = pytest.mark.django_db


def sheet(count, **values):
    rows = []
    for i in range(count):
        community = "330106002001" if i % 2 else "330106002201"
        rows.append(row(组织名称=f"引擎互助队{i:04d}", 备案编号=f"ENGINE-{i:04d}", 服务对象="妇女、儿童",
                        **{"社区（区划）代码": community, **values}))
    return Sheet(list(HEADERS), rows)


def test_three_hundred_rows_with_history_target_groups_and_figures(world, cast):
    importer = Importer(OrganizationResource(user=cast.street_a))
    assert importer.validate(sheet(300)) == []
    with transaction.atomic():
        assert importer.save() == 300
    organizations = Organization.objects.filter(filing_number__startswith="ENGINE-")
    assert organizations.count() == 300
    created = Organization.history.filter(history_type="+", filing_number__startswith="ENGINE-")
    assert created.count() == 300
    assert set(created.values_list("history_user_id", "history_change_reason").distinct()) == {
        (cast.street_a.pk, "import")}
    first = organizations.get(filing_number="ENGINE-0000")
    assert first.leader_id_number == VALID_ID and first.created_at is not None
    assert sorted(t.name for t in first.target_groups.all()) == ["儿童", "妇女"]
    with connection.cursor() as cursor:  # the database holds only the encrypted token
        cursor.execute("SELECT leader_id_number FROM registry_organization WHERE id = %s", [first.pk])
        assert cursor.fetchone()[0].startswith("fernet:")
    assert facts.stored_counts() == facts.recomputed_counts()
    from reporting.models import OrganizationFact

    assert OrganizationFact.objects.filter(organization_id=first.pk, key="org.filed").exists()


def test_errors_name_the_row_and_column_in_chinese(world, cast):
    bad = sheet(200)
    bad.rows[10] = row(组织名称="坏身份证", 负责人身份证号码="110105194912310021")
    bad.rows[150] = row(组织名称="引擎互助队0003", 备案编号="ENGINE-X", **{"社区（区划）代码": "330106002001"})
    bad.rows[199] = row(组织名称="", 成员数="很多")
    errors = {e["row"]: " ".join(e["messages"]) for e in Importer(OrganizationResource(user=cast.street_a))
              .validate(bad)}
    assert sorted(errors) == [12, 152, 201]
    assert "负责人身份证号码" in errors[12]
    assert "组织名称" in errors[152] and "5" in errors[152]  # duplicate of spreadsheet row 5
    assert "组织名称" in errors[201] and "成员数" in errors[201]


def test_a_failed_write_leaves_nothing(world, cast):
    importer = Importer(OrganizationResource(user=cast.street_a))
    assert importer.validate(sheet(50)) == []
    OrganizationFactory(name="抢先登记", region=world.community_a1, filing_number="ENGINE-0049")
    before = (Organization.objects.count(), Organization.history.count())
    with pytest.raises(IntegrityError), transaction.atomic():
        importer.save()
    assert (Organization.objects.count(), Organization.history.count()) == before
    assert facts.stored_counts() == facts.recomputed_counts()
