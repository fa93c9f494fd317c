"""Default code lists (DOMAIN.md §4). Administrators may add, rename or retire entries; codes stay stable."""

from registry.choices import Vocabulary

DEFAULT_TERMS = {
    Vocabulary.CATEGORY: [
        ("life_services", "生活服务类", "Life services", True),
        ("charity", "公益慈善类", "Charity", True),
        ("mutual_aid", "居民互助类", "Neighbourly mutual aid", True),
        ("culture_sports", "文体娱乐类", "Culture, sports and recreation", False),
        ("rural_production", "农村生产技术服务类", "Rural production-technology services", False),
        ("mediation", "专业调处类", "Mediation", False),
        ("deliberation", "协商议事类", "Consultation and deliberation", False),
        ("public_safety", "平安类", "Public safety", False),
        ("other", "其他", "Other", False),
    ],
    Vocabulary.TARGET_GROUP: [
        ("elderly", "老年人（含独居、空巢、留守、失能）",
         "Elderly (incl. living alone, empty-nest, left-behind, disabled)"),
        ("women", "妇女", "Women"),
        ("children", "儿童", "Children"),
        ("disabled", "残疾人", "Persons with disabilities"),
        ("entitled", "优抚对象", "Entitled groups"),
        ("unemployed", "失业人员", "Unemployed"),
        ("migrant_workers", "农民工", "Migrant workers"),
        ("prisoners_children", "服刑人员未成年子女", "Children of prisoners"),
        ("families_in_difficulty", "困难家庭", "Families in difficulty"),
        ("mental_disorders", "严重精神障碍患者", "Persons with severe mental disorders"),
        ("youth_misbehaviour", "有不良行为青少年", "Youth with misbehaviour"),
        ("community_correction", "社区服刑人员", "Persons under community correction"),
        ("released_prisoners", "刑满释放人员", "Released prisoners"),
        ("dibao", "低保对象", "Minimum-allowance recipients"),
        ("tekun", "特困人员", "Extreme poverty"),
        ("left_behind_rural", "农村留守人员和儿童", "Left-behind rural residents and children"),
        ("children_in_difficulty", "困境儿童", "Children in difficulty"),
        ("floating_population", "流动人口", "Floating population"),
    ],
    Vocabulary.HUB_KIND: [
        ("federation", "社区社会组织联合会", "CSO federation"),
        ("service_centre", "社会组织服务中心", "Social-organization service centre"),
        ("development_association", "社区发展协会", "Community development association"),
        ("community_foundation", "社区基金会", "Community foundation"),
        ("enterprise_council", "社企共建理事会", "Community-enterprise council"),
        ("village_worthies", "乡贤参事会", "Village worthies' council"),
        ("neighbourhood_centre", "邻坊中心", "Neighbourhood centre"),
        ("incubation_base", "孵化培育基地", "Incubation / cultivation base"),
        ("support_platform", "支持平台", "Support platform"),
        ("party_mass_centre", "社会组织党群服务中心", "Social-organization Party–mass service centre"),
    ],
    Vocabulary.CAMPAIGN: [
        ("neighbourly_watch", "邻里守望", "Neighbourly watch (volunteering)"),
        ("co_governance", "共建共治共享", "Co-building, co-governance, sharing"),
        ("safety", "共创平安", "Safety together"),
        ("civic_culture", "文化铸魂", "Civic culture"),
    ],
    Vocabulary.SUBSIDY_KIND: [
        ("startup", "一次性开办补贴", "One-time start-up"),
        ("operating", "工作经费", "Operating funds"),
        ("rent", "房租补贴", "Rent"),
        ("large_event", "大型活动补贴", "Large events"),
        ("personnel", "人员经费", "Personnel"),
    ],
    Vocabulary.REWARD_KIND: [
        ("talent", "人才奖励", "Talent"),
        ("evaluation", "评估奖励", "Evaluation"),
        ("brand", "品牌建设奖励", "Brand building"),
    ],
    Vocabulary.FUNDING_SOURCE: [
        ("public_finance", "财政资金", "Public finance"),
        ("lottery", "福利彩票公益金", "Welfare-lottery funds"),
        ("foundation", "基金会资金", "Foundations"),
        ("purchase", "政府购买服务", "Government purchase of services"),
        ("venture", "公益创投", "Venture philanthropy"),
        ("incubation", "孵化资金", "Incubation funds"),
    ],
}


def seed_terms(term_model):
    """Create the default entries that do not exist yet; never overwrites an administrator's edits."""
    existing = set(term_model.objects.values_list("vocabulary", "code"))
    rows = []
    for vocabulary, entries in DEFAULT_TERMS.items():
        for sort, entry in enumerate(entries):
            code, name, name_en, *priority = entry
            if (str(vocabulary), code) not in existing:
                rows.append(term_model(vocabulary=vocabulary, code=code, name=name, name_en=name_en,
                                       is_priority=bool(priority and priority[0]), sort=sort))
    term_model.objects.bulk_create(rows)
    return len(rows)
