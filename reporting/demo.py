"""Demo targets: the demo district adopts the Ministry's 2017 and Hangzhou's 2018 presets, so every indicator with
a policy target for a Hangzhou district shows one out of the box (Hangzhou's 16 per urban community, the stricter,
stays over the Ministry's 10)."""

from reporting.targets import adopt_preset

DEMO_PRESETS = ("mca-2017", "hangzhou-2018")


def extend_demo(result):
    for preset in DEMO_PRESETS:
        adopt_preset(result["county"], preset)
