import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from filings.choices import CaseState, CertificateKind
from filings.models import Case, CaseEvent
from filings.services import TransitionConflict, available_transitions, create_case, transition, waiting_for
from registry.choices import OrgStatus, Tier
from registry.models import Organization
from tests.factories import OrganizationFactory, make_uscc, org_payload, registration_payload


def test_filing_round_trip_with_return_and_resubmission(world, cast, colleague_a, ready_case):
    case = ready_case(cast.street_a, "filing", org_payload(world.community_a1))
    assert case.state == CaseState.DRAFT and case.number.startswith("BA")
    case = transition(case, "submit", cast.street_a)
    assert case.state == CaseState.SUBMITTED and case.due_on is not None

    with pytest.raises(ValidationError, match="理由"):
        transition(case, "return", colleague_a, comment="  ")
    case = transition(case, "return", colleague_a, comment="章程缺少负责人签字")
    assert case.state == CaseState.RETURNED
    assert case.return_reason == "章程缺少负责人签字"

    case = transition(case, "submit", cast.street_a)
    case = transition(case, "approve", colleague_a)
    assert case.state == CaseState.APPROVED
    organization = case.organization
    assert organization.tier == Tier.FILED and organization.status == OrgStatus.ACTIVE
    assert organization.filing_number.startswith("BA330106002-")
    assert organization.filed_on is not None
    assert case.certificates.get().kind == CertificateKind.FILING_CERTIFICATE
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions[-4:] == ["submit", "return", "submit", "approve"]


def test_submitter_cannot_decide_their_own_case(world, cast, ready_case):
    case = transition(ready_case(cast.street_a, "filing", org_payload(world.community_a1)), "submit", cast.street_a)
    with pytest.raises(PermissionDenied, match="职责分离"):
        transition(case, "approve", cast.street_a)
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED
    assert not Organization.objects.exists()


def test_submission_lists_missing_documents(world, cast):
    case = create_case(cast.street_a, "filing", org_payload(world.community_a1))
    with pytest.raises(ValidationError) as refused:
        transition(case, "submit", cast.street_a)
    assert any("章程" in m or "Charter" in m for m in refused.value.messages)
    assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT


def test_street_b_cannot_act_on_street_a_case(world, cast, ready_case):
    case = transition(ready_case(cast.street_a, "filing", org_payload(world.community_a1)), "submit", cast.street_a)
    with pytest.raises(Case.DoesNotExist):
        transition(case, "approve", cast.street_b)


def test_filing_numbers_count_per_street_per_year(world, cast, colleague_a, ready_case):
    numbers = []
    for name in ("甲队", "乙队"):
        case = transition(ready_case(cast.street_a, "filing", org_payload(world.community_a1, name=name)),
                          "submit", cast.street_a)
        numbers.append(transition(case, "approve", colleague_a).organization.filing_number)
    assert numbers[0].endswith("-0001") and numbers[1].endswith("-0002")


def test_duplicate_name_in_community_is_refused_at_submission(world, cast, ready_case):
    OrganizationFactory(name="夕阳红互助队", region=world.community_a1)
    case = ready_case(cast.street_a, "filing", org_payload(world.community_a1))
    with pytest.raises(ValidationError):
        transition(case, "submit", cast.street_a)


def test_community_record_confirmed_in_the_community(world, cast, ready_case):
    """T3 records are decided in the community (民发〔2017〕191号 Q&A 五), by someone other than their author."""
    from registry.choices import Role
    from tests.factories import UserFactory

    colleague = UserFactory(username="community_a_2", role=Role.COMMUNITY_WORKER, regions=[world.community_a1])
    case = ready_case(cast.community_a, "community_record", org_payload(world.community_a1, name="广场舞队"))
    case = transition(case, "submit", cast.community_a)
    decisions = {"return", "approve"}
    assert not decisions & {t.action for t in available_transitions(case, cast.street_a)}
    assert not decisions & {t.action for t in available_transitions(case, cast.community_a)}  # the author
    assert {"return", "approve"} <= {t.action for t in available_transitions(case, colleague)}
    assert case in waiting_for(colleague) and case not in waiting_for(cast.community_a)
    case = transition(case, "approve", colleague)
    assert case.organization.tier == Tier.COMMUNITY
    assert case.organization.ledger_number.startswith("TZ330106002001-")


@pytest.mark.parametrize(("code", "legal_form", "reason"), [
    ("91330106MA27U8XX3N", "social_group", "51"),       # a company's code (authority 9), not civil affairs
    ("5133010", "social_group", "18"),                  # too short
    ("52330106MJ00000014", "social_group", "1"),        # position 2 says social service institution
])
def test_uscc_refused_with_the_rule(code, legal_form, reason):
    from django.utils import translation

    from registry.models import clean_uscc

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        clean_uscc(code, legal_form)
    assert reason in " ".join(refused.value.messages)


def test_uscc_with_bad_check_character_needs_a_recorded_override():
    from registry.models import clean_uscc

    good = make_uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="GB 32100"):
        clean_uscc(bad, "social_group")
    assert clean_uscc(bad, "social_group", override_reason="2016年试点赋码") == bad


def test_registration_with_bad_uscc_is_refused_on_the_form(world, cast, client_for):
    from django.urls import reverse

    payload = registration_payload(world.community_a1, uscc="51330106MJ0000001X")
    response = client_for(cast.street_a).post(reverse("filings:case_create", args=["registration"]),
                                              {k: v for k, v in payload.items() if v is not None})
    assert response.status_code == 200
    assert "GB 32100" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(("overrides", "rule", "required", "given"), [
    ({"individual_member_count": 12}, "个人会员", "20", "12"),
    ({"startup_funds": "5000"}, "活动资金", "30,000", "5,000"),
    # An excluded nature loses Hangzhou's lowered threshold (20): the national one applies (条例 art. 10).
    ({"declared_natures": ["religious"]}, "个人会员", "50", "25"),
])
def test_registration_refused_with_rule_required_and_given(world, cast, ready_case, overrides, rule, required, given):
    from django.utils import translation

    case = ready_case(cast.street_a, "registration", registration_payload(world.community_a1, **overrides))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        transition(case, "submit", cast.street_a)
    text = " ".join(refused.value.messages)
    assert rule in text and required in text and given in text
    assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT


def test_social_group_registers_in_two_steps_with_uscc(world, cast, ready_case):
    case = ready_case(cast.street_a, "registration", registration_payload(world.community_a1))
    case = transition(case, "submit", cast.street_a)
    assert [t.action for t in available_transitions(case, cast.reviewer)] == [
        "accept", "approve_preparation", "return", "reject"]
    case = transition(case, "approve_preparation", cast.reviewer)
    assert case.state == CaseState.PREPARING
    case = transition(case, "submit_establishment", cast.street_a)
    with pytest.raises(ValidationError, match=r"credit code|信用代码"):
        transition(case, "approve_establishment", cast.reviewer)
    code = make_uscc()
    case = transition(Case.objects.get(pk=case.pk), "approve_establishment", cast.reviewer, data={"uscc": code})
    organization = case.organization
    assert organization.tier == Tier.REGISTERED and organization.uscc == code
    assert "西湖区" in organization.registration_authority
    assert case.certificates.get().kind == CertificateKind.REGISTRATION_DECISION


def test_filed_group_upgrades_to_registration_keeping_its_history(world, cast, ready_case):
    group = OrganizationFactory(name="北山邻里服务社", region=world.community_a1, tier=Tier.FILED)
    payload = registration_payload(world.community_a1, legal_form="social_service")
    case = transition(ready_case(cast.street_a, "registration", payload, organization=group), "submit", cast.street_a)
    case = transition(case, "approve", cast.reviewer, data={"uscc": make_uscc(legal_form_digit="2")})
    group.refresh_from_db()
    assert group.tier == Tier.REGISTERED and group.filing_number.startswith("BATEST")
    tiers = list(group.history.order_by("history_date", "history_id").values_list("tier", flat=True))
    assert tiers[0] == "filed" and tiers[-1] == "registered"


def test_change_marks_pending_and_applies_on_approval(world, cast, colleague_a, ready_case):
    group = OrganizationFactory(name="旧名称队", region=world.community_a1)
    payload = org_payload(world.community_a1, name="新名称队", member_count=40)
    case = transition(ready_case(cast.street_a, "change", payload, organization=group), "submit", cast.street_a)
    group.refresh_from_db()
    assert group.status == OrgStatus.CHANGE_PENDING
    transition(case, "approve", colleague_a)
    group.refresh_from_db()
    assert (group.name, group.member_count, group.status) == ("新名称队", 40, OrgStatus.ACTIVE)


def test_failed_approval_leaves_everything_as_it_was(world, cast, colleague_a, ready_case):
    case = transition(ready_case(cast.street_a, "filing", org_payload(world.community_a1)), "submit", cast.street_a)
    OrganizationFactory(name="夕阳红互助队", region=world.community_a1)  # a clash appears after submission
    with pytest.raises(ValidationError):
        transition(case, "approve", colleague_a)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.version == 1
    assert Organization.objects.count() == 1
    from filings.models import NumberSequence

    assert not NumberSequence.objects.filter(key__startswith="filing:").exists()


def test_stale_page_gets_a_conflict(world, cast, colleague_a, ready_case):
    case = transition(ready_case(cast.street_a, "filing", org_payload(world.community_a1)), "submit", cast.street_a)
    stale_version = case.version
    transition(case, "return", colleague_a, comment="请补充材料")
    with pytest.raises(TransitionConflict, match=r"退回|Returned"):
        transition(case, "approve", cast.reviewer, version=stale_version)
