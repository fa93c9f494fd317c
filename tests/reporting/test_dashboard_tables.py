"""The dashboard's tables of rows are written in Python (reporting/templatetags/dashboard_tables.py) for speed; they
must write what the template loops they replaced wrote, character for character, for every branch of those loops,
in both languages, with markup in names and sources escaped the same way. The old loops are kept, unchanged, in
tests/reporting/dashboard_loops.html."""

import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Engine
from django.utils import translation

from registry.models import Region
from reporting.indicators import INDICATORS, PER_COMMUNITY, PERCENT, Value
from reporting.models import JudgedAt, Operator, Target
from reporting.targets import Assessment
from reporting.templatetags.dashboard_tables import indicator_rows, scorecard_rows

OLD_LOOPS = (Path(__file__).parent / "dashboard_loops.html").read_text(encoding="utf-8")
REGION = Region(code="330106000000", name="西湖区 <b>&", level=3)
ORIGIN = Region(code="330100000000", name='杭州市 "市"', level=2)


def target(**changes):
    fields = {"jurisdiction_code": "3301", "indicator": "orgs_per_urban_community", "operator": Operator.AT_LEAST,
              "value": Decimal("10.00"), "value_divisor": 1, "deadline": date(2020, 12, 31),
              "source_document": "民发〔2017〕191号 <关于大力培育发展社区社会组织的意见> & more text",
              "judged_at": JudgedAt.EVERY_LEVEL}
    return Target(**{**fields, **changes})


ASSESSMENTS = [
    Assessment("x", None),
    Assessment("x", target(), ORIGIN, inherited=True, met=True, rollup_text="3 of 4 communities meet it",
               notes=["a note <i>", "another & note"]),
    Assessment("x", target(deadline=None, operator=Operator.AT_MOST), None, inherited=True, met=False, gap=2,
               gap_text="short of 2 <orgs>"),
    Assessment("x", target(value=Decimal("100"), value_divisor=3), ORIGIN, not_here="total"),
    Assessment("x", target(judged_at=JudgedAt.EACH_STREET), None, not_here="unit", derived=True),
    Assessment("x", target(source_document="短"), None),
]
VALUES = [Value(None), Value(Decimal("7"), Decimal("3"), PER_COMMUNITY), Value(Decimal("2"), Decimal("3"), PERCENT),
          Value(Decimal("5")), Value(Decimal("0"), Decimal("0"), PERCENT)]


def indicator_table():
    indicators = list(INDICATORS.values())
    rows = []
    for n, (assessment, value) in enumerate(itertools.product(ASSESSMENTS, VALUES)):
        indicator = indicators[n % len(indicators)]
        rows.append({"indicator": indicator, "value": value, "number": value.value, "assessment": assessment,
                     "url": f"/reporting/figures/330106/{indicator.id}/?as_of=2025-12-31&x=<y>" if n % 3 else ""})
    return rows


def scorecard():
    rows = []
    for n, status in enumerate(("met", "near", "behind", "none")):
        rows.append({"rank": n + 1, "region": Region(code=f"3301060{n:02d}000", name=f"街道{n} <&>", level=4),
                     "url": f"/dashboard/?region=3301060{n:02d}000&as_of=2025-12-31",
                     "urban": Value(Decimal(12 * n), Decimal(5), PER_COMMUNITY),
                     "rural": Value(None) if n % 2 else Value(Decimal(1), Decimal(3), PER_COMMUNITY),
                     "below_urban": n, "below_rural": 1000 * n, "below_urls": {"urban": "/b/?kind=urban&r=1",
                                                                              "rural": "/b/?kind=rural&r=1"},
                     "short": [0, 3, 12, 0][n], "status": status, "party_work": None if n == 3 else Decimal("66.7")})
    del rows[3]["url"]  # the rows read from the daily snapshots have none
    return rows


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("may_manage", [True, False])
def test_the_tags_write_what_the_template_loops_wrote(language, may_manage):
    rows, children = indicator_table(), scorecard()
    with translation.override(language):
        old = Engine.get_default().from_string(OLD_LOOPS).render(Context(
            {"rows": rows, "children": children, "may_manage": may_manage, "region": REGION}))
        new = (f"<tbody>\n        {indicator_rows(rows, may_manage, REGION)}\n        </tbody>\n<tbody>\n"
               f"        {scorecard_rows(children)}\n        </tbody>\n")
    assert new == old
    assert "&lt;b&gt;" in new or "&lt;orgs&gt;" in new  # the markup in the data is escaped, not written
