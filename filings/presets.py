"""Registration-policy presets (DOMAIN.md §3), created by a data migration and kept idempotent."""

PRESETS = [
    # National baseline for social groups: 《社会团体登记管理条例》 art. 10 (30 units / 50 individuals / 50 mixed;
    # ¥30,000 activity funds for a local group).
    {
        "jurisdiction_code": "", "name": "全国基准", "source_document": "《社会团体登记管理条例》第十条",
        "min_unit_members": 30, "min_individual_members": 50, "min_mixed_members": 50,
        "min_activity_funds": 30000, "min_hub_startup_funds": 30000,
    },
    # Hangzhou lowered the thresholds for community social organizations.
    {
        "jurisdiction_code": "3301", "name": "杭州市降低准入门槛", "source_document": "杭民发〔2018〕237号",
        "min_unit_members": 15, "min_individual_members": 20, "min_mixed_members": 20,
        "min_activity_funds": 30000, "min_hub_startup_funds": 10000,
    },
]


def seed_policies(policy_model):
    for preset in PRESETS:
        policy_model.objects.get_or_create(jurisdiction_code=preset["jurisdiction_code"], defaults=preset)
