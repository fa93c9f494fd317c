"""The figures engine: organization facts over time, and per-region counts of them as of any day.

A *fact* is one thing that held for an organization over a period of days, in a region: ``org.filed`` (open and
filed), ``urban.filed`` (the same, in a residents' committee), ``hub`` / ``hub.<kind>``, ``swi`` (social-work
institution), ``dormant``, ``party_org``, ``work`` / ``work_instr``, ``should_establish``, ``grade.<g>``,
``brand``, ``brand_project`` (one per designation), ``head_trained``. ``facts_for()`` derives them from the records'
history (DOMAIN.md §3, settled definitions): the organization's historical rows (status, tier, region, hub kind),
its region's (committee type), the Party-building history (own form and membership of joint Party
organizations), instructor assignments, grades, brand designations and trainings. An organization exists from
its decision date (registration, filing, recording; else founding), so an import of old organizations dates them
correctly; later changes take effect on the day they were written.

``refresh()`` rewrites an organization's facts in the caller's transaction and applies the difference to
``RegionLedger`` (per region, key and day: facts begun minus ended) and ``RegionTally`` (facts valid now), for the
region and each of its ancestors. A figure as of day D is then a sum over a region's ledger rows up to D; today's
figure of an undated key is one tally row. ``rebuild()`` recomputes everything from scratch (the check that the
maintained counts are exact, and the bench's loader).
"""

from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from registry.calendar import add_years
from registry.choices import CLOSED_STATUSES, PREFIX_LENGTH, CommitteeType, OrgStatus, RegionLevel, Tier, TraineeKind
from registry.scoping import among

BEGINNING = date(1900, 1, 1)
HEADS_TRAINED_YEARS = 5
ORG_FIELDS = ("status", "tier", "region_id", "hub_kind_id", "is_social_work_institution", "founded_on",
              "registered_on", "filed_on")
AREA = {CommitteeType.RESIDENTS: "urban", CommitteeType.VILLAGERS: "rural"}
GRADES = ("5A", "4A", "3A", "2A", "1A")


DATED_PREFIXES = ("grade.", "work_instr", "head_trained", "brand")
DATED_KEYS = "^(" + "|".join(p.replace(".", "\\.") for p in DATED_PREFIXES) + ")"  # the same, as a regex


def is_dated(key: str) -> bool:
    """Keys whose facts may begin or end on a day other than the day of a write (a grade expires, an instructor's
    assignment ends, a training falls out of the five years, a brand is named for a year): the ledger may hold
    their rows on days after today."""
    return key.startswith(DATED_PREFIXES)


def local_day(moment) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


# ------------------------------------------------------------------------------------------------ derivation

def _at(timeline, day):
    """The state of a [(effective day, state)] timeline (sorted) on ``day``; None before it begins."""
    state = None
    for effective, value in timeline:
        if effective > day:
            break
        state = value
    return state


def _decision_day(record) -> date | None:
    by_tier = {Tier.REGISTERED: record["registered_on"], Tier.FILED: record["filed_on"]}.get(record["tier"])
    return by_tier or record["founded_on"]


def _org_timelines(org_ids):
    """organization id -> [(effective day, state dict or None when deleted)], from the historical rows; the first
    row takes effect on the decision day (never later than it was typed), the others on the day they were written.
    An organization without history (rows written in bulk without it) gets one row from its current state."""
    from registry.models import Organization

    rows = defaultdict(list)
    for record in (Organization.history.filter(among("id", org_ids)).order_by("history_date", "history_id")
                   .values("id", "history_date", "history_type", *ORG_FIELDS)):
        rows[record["id"]].append(record)
    current = {o["id"]: o for o in Organization.objects.filter(among("pk", org_ids))
               .values("id", "created_at", "updated_at", *ORG_FIELDS)}
    timelines = {}
    for org_id in org_ids:
        records = rows.get(org_id, [])
        now = current.get(org_id)
        if now is not None and (not records or any(records[-1][f] != now[f] for f in ORG_FIELDS)):
            # Written around the history (a queryset update): its current state from its last change on.
            records = [*records, {**now, "history_type": "~" if records else "+",
                                  "history_date": timezone.now() if records else now["created_at"]}]
        timeline = []
        for index, record in enumerate(records):
            typed = local_day(record["history_date"])
            if index == 0:
                decided = _decision_day(record)
                effective = min(decided, typed) if decided else typed
            else:
                effective = max(typed, timeline[0][0])
            state = None if record["history_type"] == "-" else {f: record[f] for f in ORG_FIELDS}
            timeline.append((effective, state))
        timelines[org_id] = timeline
    return timelines


def _region_timelines(codes):
    """region code -> (level, [(effective day, committee type)]): the committee type as it was on each day (a
    reclassified community changes sides on the day it was reclassified; before its first record, its first)."""
    from registry.models import Region

    regions = {r["code"]: r for r in Region.objects.filter(among("code", codes)).values(
        "code", "level", "committee_type")}
    history = defaultdict(list)
    for record in (Region.history.filter(among("code", codes)).order_by("history_date", "history_id")
                   .values("code", "history_date", "committee_type")):
        history[record["code"]].append((local_day(record["history_date"]), record["committee_type"]))
    out = {}
    for code, region in regions.items():
        timeline = history.get(code) or [(BEGINNING, region["committee_type"])]
        timeline = [(BEGINNING, timeline[0][1]), *timeline[1:]]
        if timeline[-1][1] != region["committee_type"]:
            timeline.append((max(timeline[-1][0], timezone.localdate()), region["committee_type"]))
        out[code] = (region["level"], timeline)
    return out


def _party_timelines(org_ids):
    """(own: org -> [(day, (form, full members))], joint: org -> [(day, member of a joint Party organization?)])."""
    from partybuilding.choices import PartyForm
    from partybuilding.models import PartyBuilding

    history_model = PartyBuilding.history.model
    own = defaultdict(list)
    for record in (history_model.objects.filter(among("organization_id", org_ids))
                   .order_by("history_date", "history_id")
                   .values("organization_id", "history_date", "history_type", "form", "full_members")):
        state = None if record["history_type"] == "-" else (record["form"], record["full_members"])
        own[record["organization_id"]].append((local_day(record["history_date"]), state))
    for pb in PartyBuilding.objects.filter(among("organization_id", org_ids)).exclude(organization_id__in=list(own)):
        own[pb.organization_id].append((local_day(pb.updated_at), (pb.form, pb.full_members)))

    # Membership: the joint Party organizations whose history ever listed the organization.
    from django.apps import apps

    through = apps.get_model("partybuilding", "HistoricalPartyBuilding_joint_with")
    joint = defaultdict(list)
    listed = defaultdict(set)  # member -> history ids listing it
    hosts = defaultdict(set)   # member -> party-building ids
    for row in through.objects.filter(among("organization_id", org_ids)).values("organization_id", "history_id",
                                                                           "history__id"):
        listed[row["organization_id"]].add(row["history_id"])
        hosts[row["organization_id"]].add(row["history__id"])
    current_members = PartyBuilding.joint_with.through.objects.filter(among("organization_id", org_ids)).values(
        "organization_id", "partybuilding_id")
    current_hosts = defaultdict(set)
    for row in current_members:
        current_hosts[row["organization_id"]].add(row["partybuilding_id"])
    all_hosts = set().union(*hosts.values(), *current_hosts.values()) if (hosts or current_hosts) else set()
    host_history = defaultdict(list)
    for record in (history_model.objects.filter(among("id", all_hosts)).order_by("history_date", "history_id")
                   .values("id", "history_id", "history_date", "history_type", "form")):
        host_history[record["id"]].append(record)
    host_now = {pb.pk: pb for pb in PartyBuilding.objects.filter(among("pk", all_hosts))}
    for member in set(hosts) | set(current_hosts):
        per_host = []
        for host in hosts[member] | current_hosts[member]:
            records = host_history.get(host)
            if records:
                per_host.append([(local_day(r["history_date"]), r["history_type"] != "-"
                                  and r["form"] == PartyForm.JOINT and r["history_id"] in listed[member])
                                 for r in records])
            elif host in host_now:
                per_host.append([(local_day(host_now[host].updated_at), host_now[host].form == PartyForm.JOINT)])
        days = sorted({d for timeline in per_host for d, _v in timeline})
        joint[member] = [(d, any(_at(timeline, d) for timeline in per_host)) for d in days]
    return own, joint


def facts_for(org_ids) -> dict[int, list[tuple]]:
    """organization id -> [(key, ref, region, valid_from, valid_to)], derived from the records (see the module)."""
    from partybuilding.choices import MIN_FULL_MEMBERS, PARTY_ORGANIZATION_FORMS
    from partybuilding.models import InstructorAssignment
    from registry.models import BrandDesignation, EvaluationGrade, Term, Training

    org_ids = list(org_ids)
    if not org_ids:
        return {}
    timelines = _org_timelines(org_ids)
    codes = {state["region_id"] for timeline in timelines.values() for _d, state in timeline if state}
    regions = _region_timelines(codes)
    hub_codes = dict(Term.objects.filter(vocabulary="hub_kind").values_list("pk", "code"))
    own, joint = _party_timelines(org_ids)
    instructors = defaultdict(list)
    for row in InstructorAssignment.objects.filter(among("organization_id", org_ids)).values(
            "organization_id", "starts_on", "ends_on"):
        instructors[row["organization_id"]].append((row["starts_on"], row["ends_on"]))
    grades = defaultdict(list)
    for row in EvaluationGrade.objects.filter(among("organization_id", org_ids)).order_by("awarded_on", "pk").values(
            "organization_id", "grade", "awarded_on", "valid_until"):
        grades[row["organization_id"]].append((row["awarded_on"], row["valid_until"], row["grade"]))
    brands = defaultdict(list)
    for row in BrandDesignation.objects.filter(among("organization_id", org_ids)).values(
            "organization_id", "pk", "project", "year"):
        brands[row["organization_id"]].append((date(row["year"], 1, 1), row["pk"], bool(row["project"])))
    trainings = defaultdict(set)
    for row in Training.objects.filter(among("organization_id", org_ids),
                                       trainee_kind=TraineeKind.ORGANIZATION_HEAD).values("organization_id", "held_on"):
        trainings[row["organization_id"]].add(row["held_on"])

    out = {}
    for org_id in org_ids:
        timeline = timelines.get(org_id) or []
        if not timeline:
            out[org_id] = []
            continue
        days = {d for d, _s in timeline}
        for _code, (_level, region_timeline) in ((s["region_id"], regions.get(s["region_id"], (0, [])))
                                                  for _d, s in timeline if s):
            days.update(d for d, _c in region_timeline if d > BEGINNING)
        days.update(d for d, _s in own.get(org_id, []))
        days.update(d for d, _s in joint.get(org_id, []))
        for start, end in instructors.get(org_id, []):
            days.add(start)
            if end:
                days.add(end + timedelta(days=1))
        for awarded, until, _g in grades.get(org_id, []):
            days.update((awarded, until + timedelta(days=1)))
        days.update(d for d, _ref, _p in brands.get(org_id, []))
        for held in trainings.get(org_id, []):
            days.update((held, add_years(held, HEADS_TRAINED_YEARS)))
        days = sorted(d for d in days if d >= timeline[0][0])

        def keys_on(day, timeline=timeline, org_id=org_id):
            state = _at(timeline, day)
            if state is None or state["status"] in CLOSED_STATUSES:
                return set()
            region = state["region_id"]
            tier = state["tier"]
            level, region_timeline = regions.get(region, (0, []))
            keys = {(f"org.{tier}", 0)}
            area = AREA.get(_at(region_timeline, day)) if level == RegionLevel.COMMUNITY else None
            if area:
                keys.add((f"{area}.{tier}", 0))
            if state["hub_kind_id"]:
                keys |= {("hub", 0), (f"hub.{hub_codes.get(state['hub_kind_id'], '')}", 0)}
            if state["is_social_work_institution"]:
                keys.add(("swi", 0))
            if state["status"] == OrgStatus.DORMANT:
                keys.add(("dormant", 0))
            form, full = _at(own.get(org_id, []), day) or ("none", 0)
            party_org = form in PARTY_ORGANIZATION_FORMS or bool(_at(joint.get(org_id, []), day))
            if party_org:
                keys.add(("party_org", 0))
            if party_org or tier == Tier.COMMUNITY:  # T3 groups are led by the community Party organization
                keys.add(("work", 0))
            elif any(s <= day and (e is None or day <= e) for s, e in instructors.get(org_id, [])):
                keys.add(("work_instr", 0))
            if tier != Tier.COMMUNITY and full >= MIN_FULL_MEMBERS and not party_org:
                keys.add(("should_establish", 0))
            in_force = [g for g in grades.get(org_id, []) if g[0] <= day <= g[1]]
            if in_force:
                keys.add((f"grade.{in_force[-1][2]}", 0))
            for named, ref, is_project in brands.get(org_id, []):
                if named <= day:
                    keys.add(("brand_project", ref) if is_project else ("brand", 0))
            if any(held <= day < add_years(held, HEADS_TRAINED_YEARS) for held in trainings.get(org_id, [])):
                keys.add(("head_trained", 0))
            return {(key, ref, region) for key, ref in keys}

        facts, open_since = [], {}
        for day in days:
            now = keys_on(day)
            for fact in list(open_since):
                if fact not in now:
                    facts.append((*fact, open_since.pop(fact), day))
            for fact in now:
                open_since.setdefault(fact, day)
        facts.extend((*fact, since, None) for fact, since in open_since.items())
        out[org_id] = facts
    return out


# ------------------------------------------------------------------------------------------------ maintenance

def ancestors(codes) -> dict[str, list[tuple[str, int]]]:
    """region code -> [(code, level)] of the region and every ancestor (a subtree is a code prefix)."""
    from registry.models import Region

    candidates = {c: {c[:2] + "0000", c[:4] + "00", c[:6], c[:9], c} for c in codes}
    found = {r["code"]: r["level"] for r in Region.objects.filter(
        among("code", set().union(*candidates.values()) if candidates else [])).values("code", "level")}
    return {c: [(a, found[a]) for a in sorted(cands) if a in found and c.startswith(a[:PREFIX_LENGTH[found[a]]])]
            for c, cands in candidates.items()}


def _apply(ledger: Counter, tally: Counter):
    """Adds the deltas to the ledger, tally and community-count rows (inserted when missing)."""
    from reporting.models import CommunityCount, RegionLedger, RegionTally

    ledger_rows = [(region, level, key, day, delta) for (region, level, key, day), delta in ledger.items() if delta]
    tally_rows = [(region, level, key, n) for (region, level, key), n in tally.items() if n]
    with connection.cursor() as cursor:
        for start in range(0, len(ledger_rows), 5000):
            chunk = ledger_rows[start:start + 5000]
            cursor.execute(
                f"INSERT INTO {RegionLedger._meta.db_table} (region, level, key, day, delta) VALUES "  # noqa: S608 - table names from the models; values are parameters
                + ",".join(["(%s,%s,%s,%s,%s)"] * len(chunk))
                + " ON CONFLICT (region, key, day) DO UPDATE SET delta = "
                  f"{RegionLedger._meta.db_table}.delta + EXCLUDED.delta",
                [value for row in chunk for value in row])
        for start in range(0, len(tally_rows), 5000):
            chunk = tally_rows[start:start + 5000]
            cursor.execute(
                f"INSERT INTO {RegionTally._meta.db_table} (region, level, key, n) VALUES "  # noqa: S608 - table names from the models; values are parameters
                + ",".join(["(%s,%s,%s,%s)"] * len(chunk))
                + f" ON CONFLICT (region, key) DO UPDATE SET n = {RegionTally._meta.db_table}.n + EXCLUDED.n",
                [value for row in chunk for value in row])
        community_rows = [(code, *(per_tier[t] for t in TIER_COLUMNS))
                          for code, per_tier in _community_deltas(tally).items() if any(per_tier.values())]
        table = CommunityCount._meta.db_table
        for start in range(0, len(community_rows), 5000):
            chunk = community_rows[start:start + 5000]
            cursor.execute(
                f"INSERT INTO {table} (region_id, {', '.join(TIER_COLUMNS)}) VALUES "  # noqa: S608 - table and column names from the models; values are parameters
                + ",".join(["(%s,%s,%s,%s)"] * len(chunk))
                + " ON CONFLICT (region_id) DO UPDATE SET "
                + ", ".join(f"{t} = {table}.{t} + EXCLUDED.{t}" for t in TIER_COLUMNS),
                [value for row in chunk for value in row])


TIER_COLUMNS = tuple(Tier.values)  # reporting.models.CommunityCount has one column per tier


def _community_deltas(tally: Counter) -> dict:
    """community code -> {tier: change}, from the tally's changes of ``org.<tier>`` at community level."""
    out = defaultdict(Counter)
    for (region, level, key), n in tally.items():
        if level == RegionLevel.COMMUNITY and key.startswith("org."):
            out[region][key[4:]] += n
    return out


def _deltas(facts, sign, chains, ledger, tally):
    for key, _ref, region, valid_from, valid_to in facts:
        for code, level in chains.get(region, ()):
            ledger[(code, level, key, valid_from)] += sign
            if valid_to is not None:
                ledger[(code, level, key, valid_to)] -= sign
            else:
                tally[(code, level, key)] += sign


def refresh(org_ids):
    """Rewrites the facts of these organizations and applies the difference to the ledger and tally, inside the
    caller's transaction (the organizations' rows are locked, so two writers never apply one change twice)."""
    from registry.models import Organization
    from reporting.models import OrganizationFact

    org_ids = sorted({int(i) for i in org_ids if i is not None})
    if not org_ids:
        return
    with transaction.atomic():
        list(Organization.objects.filter(among("pk", org_ids)).select_for_update().values_list("pk", flat=True))
        new = facts_for(org_ids)
        stored = defaultdict(list)
        for fact in OrganizationFact.objects.filter(among("organization_id", org_ids)).values_list(
                "pk", "organization_id", "key", "ref", "region", "valid_from", "valid_to"):
            stored[fact[1]].append(fact)
        removed_ids, removed, added = [], [], []
        for org_id in org_ids:
            wanted = Counter(new.get(org_id, []))
            for pk, _org, *fact in stored.get(org_id, []):
                fact = tuple(fact)
                if wanted[fact]:
                    wanted[fact] -= 1
                else:
                    removed_ids.append(pk)
                    removed.append(fact)
            added.extend((org_id, fact) for fact, n in wanted.items() for _ in range(n))
        if not removed and not added:
            return
        chains = ancestors({f[2] for f in removed} | {f[2] for _o, f in added})
        ledger, tally = Counter(), Counter()
        _deltas(removed, -1, chains, ledger, tally)
        _deltas([f for _o, f in added], +1, chains, ledger, tally)
        if removed_ids:
            OrganizationFact.objects.filter(among("pk", removed_ids)).delete()
        _insert_facts([(org_id, *fact) for org_id, fact in added])
        _apply(ledger, tally)


FACT_COLUMNS = ("organization_id", "key", "ref", "region", "valid_from", "valid_to")


def _insert_facts(rows):
    """Fact rows (organization id, key, ref, region, valid from, valid to): COPY on PostgreSQL (an import adds
    thousands at once), bulk_create elsewhere."""
    from registry.import_engine import can_copy, copy_rows
    from reporting.models import OrganizationFact

    if not rows:
        return
    if can_copy():
        copy_rows(OrganizationFact, FACT_COLUMNS, rows)
        return
    OrganizationFact.objects.bulk_create([OrganizationFact(**dict(zip(FACT_COLUMNS, row, strict=True)))
                                          for row in rows], batch_size=5000)


def refresh_regions(codes):
    """A community reclassified (or moved): every organization that ever was in it."""
    from registry.models import Organization
    from reporting.models import OrganizationFact

    ids = set(Organization.objects.filter(region_id__in=codes).values_list("pk", flat=True))
    ids |= set(OrganizationFact.objects.filter(region__in=codes).values_list("organization_id", flat=True))
    for chunk in _chunks(sorted(ids), 2000):
        refresh(chunk)


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


@transaction.atomic
def rebuild(log=lambda message: None, batch=5000):
    """Everything from scratch: the facts from the records, then the ledger and tally from the facts (one SQL
    statement each). The maintained counts must equal what this produces."""
    from registry.models import Organization
    from reporting.models import CommunityCount, OrganizationFact, RegionLedger, RegionTally

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Deferred foreign-key checks of this transaction's earlier writes would make TRUNCATE refuse.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {OrganizationFact._meta.db_table}, {RegionLedger._meta.db_table}, "
                           f"{RegionTally._meta.db_table}, {CommunityCount._meta.db_table}")
    else:
        for model in (OrganizationFact, RegionLedger, RegionTally, CommunityCount):
            model.objects.all().delete()
    ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    for number, chunk in enumerate(_chunks(ids, batch)):
        facts = facts_for(chunk)
        OrganizationFact.objects.bulk_create([
            OrganizationFact(organization_id=org_id, key=key, ref=ref, region=region, valid_from=valid_from,
                             valid_to=valid_to) for org_id, rows in facts.items()
            for key, ref, region, valid_from, valid_to in rows], batch_size=10000)
        log(f"facts: {min(len(ids), (number + 1) * batch)} of {len(ids)} organizations")
    with connection.cursor() as cursor:
        cursor.execute(_REBUILD_SQL.format(fact=OrganizationFact._meta.db_table, ledger=RegionLedger._meta.db_table,
                                           tally=RegionTally._meta.db_table))
        cursor.execute(_COMMUNITY_SQL.format(
            counts=CommunityCount._meta.db_table, tally=RegionTally._meta.db_table, columns=", ".join(TIER_COLUMNS),
            sums=", ".join(f"COALESCE(SUM(n) FILTER (WHERE key = 'org.{t}'), 0)" for t in TIER_COLUMNS),
            level=int(RegionLevel.COMMUNITY)))
        for model in (OrganizationFact, RegionLedger, RegionTally, CommunityCount):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    log("ledger and tally rebuilt")


# Each fact counted in its region and every ancestor (the candidate codes of ``ancestors()``).
_CHAINS = """
WITH chained AS (
    SELECT f.key, f.valid_from, f.valid_to, r.code AS region, r.level
    FROM {fact} f
    CROSS JOIN LATERAL (SELECT DISTINCT unnest(ARRAY[substr(f.region, 1, 2) || '0000', substr(f.region, 1, 4) || '00',
                                    substr(f.region, 1, 6), substr(f.region, 1, 9), f.region])) AS c(code)
    JOIN registry_region r ON r.code = c.code
    WHERE starts_with(f.region, substr(r.code, 1, CASE r.level WHEN 1 THEN 2 WHEN 2 THEN 4 WHEN 3 THEN 6
                                                               WHEN 4 THEN 9 ELSE 12 END))
)"""

_REBUILD_SQL = _CHAINS + """,
moves AS (
    SELECT region, level, key, valid_from AS day, 1 AS delta FROM chained
    UNION ALL SELECT region, level, key, valid_to, -1 FROM chained WHERE valid_to IS NOT NULL
), ins AS (
    INSERT INTO {ledger} (region, level, key, day, delta)
    SELECT region, level, key, day, SUM(delta) FROM moves GROUP BY region, level, key, day HAVING SUM(delta) <> 0
)
INSERT INTO {tally} (region, level, key, n)
SELECT region, level, key, COUNT(*) FROM chained WHERE valid_to IS NULL GROUP BY region, level, key;
"""  # noqa: S608 - table names from the models


# Each community's open organizations by tier, from the community-level tally rows just rebuilt.
_COMMUNITY_SQL = """
INSERT INTO {counts} (region_id, {columns})
SELECT region, {sums} FROM {tally} WHERE level = {level} AND starts_with(key, 'org.') GROUP BY region
"""


def recomputed_counts():
    """(ledger, tally) as a from-scratch computation from the stored facts would give them, for comparison."""
    from reporting.models import OrganizationFact

    ledger, tally = Counter(), Counter()
    facts = list(OrganizationFact.objects.values_list("key", "ref", "region", "valid_from", "valid_to"))
    _deltas(facts, +1, ancestors({f[2] for f in facts}), ledger, tally)
    communities = {(code, tier): n for code, per_tier in _community_deltas(tally).items()
                   for tier, n in per_tier.items() if n}
    return {k: v for k, v in ledger.items() if v}, {k: v for k, v in tally.items() if v}, communities


def stored_counts():
    from reporting.models import CommunityCount, RegionLedger, RegionTally

    ledger = {(r, lv, k, d): n for r, lv, k, d, n in RegionLedger.objects.exclude(delta=0).values_list(
        "region", "level", "key", "day", "delta")}
    tally = {(r, lv, k): n for r, lv, k, n in RegionTally.objects.exclude(n=0).values_list("region", "level", "key",
                                                                                              "n")}
    communities = {(row["region_id"], tier): row[tier]
                   for row in CommunityCount.objects.values("region_id", *TIER_COLUMNS)
                   for tier in TIER_COLUMNS if row[tier]}
    return ledger, tally, communities


def forget(org_ids):
    """Organizations being deleted (tests, the bench's regeneration; the registry itself never deletes): their
    facts leave the counts before the rows go."""
    from reporting.models import OrganizationFact

    facts = list(OrganizationFact.objects.filter(organization_id__in=org_ids).values_list(
        "key", "ref", "region", "valid_from", "valid_to"))
    if not facts:
        return
    ledger, tally = Counter(), Counter()
    _deltas(facts, -1, ancestors({f[2] for f in facts}), ledger, tally)
    OrganizationFact.objects.filter(organization_id__in=org_ids).delete()
    _apply(ledger, tally)
