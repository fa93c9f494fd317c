import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from registry.choices import CommitteeType, RegionLevel
from registry.models import Region
from registry.services import ImportRejected, import_communities, load_divisions


@pytest.mark.django_db
def test_load_divisions_3301_loads_hangzhou_counties_and_streets(capsys):
    call_command("load_divisions", "3301")
    hangzhou = Region.objects.get(code="330100")
    assert hangzhou.name == "杭州市"
    assert hangzhou.parent.name == "浙江省"
    counties = Region.objects.subtree(hangzhou).filter(level=RegionLevel.COUNTY)
    assert counties.count() == 13
    assert set(counties.values_list("name", flat=True)) >= {"西湖区", "上城区", "淳安县", "建德市"}
    xihu_streets = Region.objects.filter(parent_id="330106").values_list("name", flat=True)
    assert {"北山街道", "灵隐街道", "三墩镇", "双浦镇"} <= set(xihu_streets)
    assert Region.objects.subtree(hangzhou).filter(level=RegionLevel.STREET).count() == 191
    assert "13" in capsys.readouterr().out


@pytest.mark.django_db
def test_load_divisions_is_idempotent_and_keeps_local_edits_to_other_fields():
    load_divisions("330106")
    county = Region.objects.get(code="330106")
    county.population = 1_200_000
    county.save()
    before = Region.objects.count()
    load_divisions("330106")
    assert Region.objects.count() == before
    assert Region.objects.get(code="330106").population == 1_200_000


@pytest.mark.django_db
def test_load_divisions_rejects_unknown_prefix():
    with pytest.raises(CommandError, match="99"):
        call_command("load_divisions", "99")


def test_prefix_and_subtree(world):
    assert world.province.prefix == "33"
    assert world.city.prefix == "3301"
    assert world.street_a.prefix == "330106002"
    subtree = set(Region.objects.subtree(world.street_a).values_list("code", flat=True))
    assert subtree == {"330106002", "330106002001", "330106002201"}
    assert world.county.contains(world.community_b1)
    assert not world.street_a.contains(world.community_b1)


def test_street_code_tells_street_from_town(world):
    town = Region(code="330106109", name="三墩镇", level=RegionLevel.STREET)
    assert world.street_a.township_kind == "street"
    assert town.township_kind == "town"


GOOD_CSV = """code,name,urban_rural_code
330106002002,保俶社区,111
330106002202,栖霞村,220
"""


def test_import_communities_saves_all_good_rows(world):
    assert import_communities(GOOD_CSV) == 2
    village = Region.objects.get(code="330106002202")
    assert village.committee_type == CommitteeType.VILLAGERS
    assert village.parent == world.street_a
    assert village.urban_rural_code == "220"


def test_import_communities_accepts_chinese_headers_in_gb18030(world):
    text = "代码,名称,城乡分类代码\n330106002002,保俶社区,111\n"
    assert import_communities(text.encode("gb18030")) == 1
    assert Region.objects.get(code="330106002002").name == "保俶社区"


def test_import_communities_reports_every_bad_row_and_saves_nothing(world):
    csv_text = "\n".join([
        "code,name,urban_rural_code",
        "330106002002,保俶社区,111",      # row 2: fine
        "33010600200,短代码社区,111",      # row 3: bad code
        "330106099001,无名街道社区,111",   # row 4: unknown parent street
        "330106002002,重复社区,111",       # row 5: duplicate of row 2
        "330106002001,已有社区,111",       # row 6: already exists
        "330106002003,分类错社区,999",     # row 7: bad urban-rural code
    ])
    before = Region.objects.count()
    with pytest.raises(ImportRejected) as rejected:
        import_communities(csv_text)
    rows = {error.row: error.message for error in rejected.value.errors}
    assert sorted(rows) == [3, 4, 5, 6, 7]
    assert "12" in rows[3]
    assert "330106099" in rows[4]
    assert "2" in rows[5]
    assert "330106002001" in rows[6]
    assert "999" in rows[7]
    assert Region.objects.count() == before


def test_import_communities_command_lists_rows_and_fails(world, tmp_path):
    bad = tmp_path / "communities.csv"
    bad.write_text("code,name,urban_rural_code\n330106099001,某社区,111\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_communities", str(bad))
    assert not Region.objects.filter(code="330106099001").exists()


def test_import_by_a_street_user_only_reaches_their_street(world, cast):
    text = "code,name,urban_rural_code\n330106003002,金沙港社区,111\n"
    with pytest.raises(ImportRejected) as rejected:
        import_communities(text, user=cast.street_a)
    assert "330106003" in rejected.value.errors[0].message
    assert import_communities(text, user=cast.street_b) == 1
