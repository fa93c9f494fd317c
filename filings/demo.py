"""Demo cases: a filing waiting for the street's second reviewer and a registration waiting for the district."""

from django.core.files.base import ContentFile

from filings.models import Case
from filings.services import add_document, create_case, required_documents, transition
from registry.models import Region, Term, User

DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def extend_demo(result):
    street = User.objects.get(username="street")
    if Case.objects.filter(created_by=street).exists():
        return
    community = Region.objects.visible_to(street).filter(level=5).order_by("code").first()
    mutual_aid = Term.objects.get(vocabulary="category", code="mutual_aid")
    elderly = Term.objects.get(vocabulary="target_group", code="elderly")
    base = {"region": community.code, "category": mutual_aid.pk, "target_groups": [elderly.pk],
            "leader_name": "陈秀英", "leader_id_number": "11010519491231002X", "leader_phone": "13800001234",
            "member_count": 24, "venue": f"{community.name}活动室", "charter_kind": "simplified"}
    filing = create_case(street, "filing", {**base, "name": f"{community.name[:-2]}银龄互助会"})
    registration = create_case(street, "registration", {
        **base, "name": f"{community.name[:-2]}邻里服务中心", "legal_form": "social_service",
        "supervising_unit": f"{community.parent.name}办事处", "startup_funds": "30000",
        "legal_representative": "陈秀英", "unit_member_count": 0, "individual_member_count": 0})
    for case in (filing, registration):
        for kind in required_documents(case):
            add_document(street, case, ContentFile(DEMO_PDF, name=f"{kind}.pdf"), kind)
        transition(case, "submit", street)
    create_case(street, "community_record", {**base, "name": f"{community.name[:-2]}广场舞队", "member_count": 12})
