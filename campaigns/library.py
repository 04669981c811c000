"""Built-in strategies drawn from DOMAIN practice, and a starter plan for each objective."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from campaigns.model import (
    DEFAULT_ARMS,
    Arm,
    CampaignPlan,
    Channel,
    Costs,
    Offer,
    Phase,
    SegmentationSettings,
    Target,
)

# Typical unit costs in CNY: an SMS about 0.05, a push nearly free, a call-back about 2.
SMS, PUSH, PHONE, ADS = Costs(0.05, 0.0), Costs(0.0, 0.0), Costs(2.0, 0.0), Costs(0.6, 0.0)
# what one contact costs on each channel, where the plan does not say
CONTACT_COSTS: dict[str, float] = {
    "sms": SMS.per_contact,
    "push": PUSH.per_contact,
    "email": 0.0,
    "phone": PHONE.per_contact,
    "ads": ADS.per_contact,
    "none": 0.0,
}


@dataclass(frozen=True)
class Strategy:
    key: str
    description: str
    channel: Channel
    offer: Offer
    contact_cap: int
    costs: Costs


STRATEGIES: dict[str, Strategy] = {
    s.key: s
    for s in (
        Strategy(
            "keep_warm",
            "keep contact frequency; content and care, no discount",
            "push",
            Offer(),
            2,
            PUSH,
        ),
        Strategy(
            "light_incentive",
            "keep contact; a small coupon to nudge the next purchase",
            "sms",
            Offer("coupon", 5.0, 99.0),
            2,
            replace(SMS, redemption_rate=0.06),
        ),
        Strategy(
            "big_discount_winback",
            "limited contact; win back with a big discount",
            "sms",
            Offer("coupon", 20.0, 129.0),
            1,
            replace(SMS, redemption_rate=0.05),
        ),
        Strategy(
            "suppress", "do not contact outside major sales events", "none", Offer(), 0, Costs()
        ),
        Strategy(
            "best_seller_visitors",
            "best-sellers with high value for money, shown to visitors who never bought",
            "ads",
            Offer("free_shipping", 8.0),
            3,
            replace(ADS, redemption_rate=0.03),
        ),
        Strategy(
            "new_product_recall",
            "new-product preview for lapsed multi-purchase customers",
            "sms",
            Offer("preview"),
            1,
            SMS,
        ),
        Strategy(
            "vip_coupon",
            "VIP coupon: 20 off for VIP",
            "sms",
            Offer("coupon", 20.0, 188.0),
            1,
            replace(SMS, redemption_rate=0.12),
        ),
        Strategy(
            "top_vip_coupon",
            "top-VIP coupon: 50 off and personal service",
            "phone",
            Offer("coupon", 50.0, 388.0),
            1,
            replace(PHONE, redemption_rate=0.15),
        ),
        Strategy(
            "event_warm_up",
            "event warm-up: preview and add-to-cart reminder",
            "push",
            Offer("preview"),
            2,
            PUSH,
        ),
        Strategy(
            "event_main",
            "event main day: spend-threshold discount",
            "sms",
            Offer("coupon", 30.0, 299.0),
            1,
            replace(SMS, redemption_rate=0.1),
        ),
        Strategy(
            "event_after",
            "after the event: thank-you care and review request",
            "push",
            Offer(),
            1,
            PUSH,
        ),
    )
}


def target_from(key: str, name: str, selector: str, **changes: object) -> Target:
    s = STRATEGIES[key]
    base = Target(name, selector, key, s.channel, s.offer, s.contact_cap, s.costs)
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Starter:
    plan: CampaignPlan
    comments: dict[str, str]


def starter_plan(
    objective: str,
    salt: str,
    as_of: dt.date | None = None,
    segmentation: SegmentationSettings | None = None,
) -> Starter:
    """A sensible first plan for the objective, with the reasoning as TOML comments."""
    build = {
        "visitor_conversion": _visitor_conversion,
        "churn_recall": _churn_recall,
        "event_retention": _event_retention,
        "custom": _custom,
    }[objective]
    plan, comments = build(salt, as_of)
    if segmentation is not None:
        plan = replace(plan, segmentation=segmentation)
    comments["plan"] = (
        f"crm-tui campaign plan ({objective}). Edit freely; `crm-tui plan check` validates it.\n"
        "salt decides the control/treatment split: keep it to keep the split, change it for a\n"
        "fresh one. holdout_share keeps a share of customers out of every campaign.\n"
        + comments.get("plan", "")
    ).strip()
    comments["arms"] = (
        "Control 20%: every lift claim needs customers who did not get the treatment. Targets\n"
        "may override these arms, e.g. to test two coupon values against one control."
    )
    return Starter(plan, comments)


def _visitor_conversion(salt: str, as_of: dt.date | None) -> tuple[CampaignPlan, dict[str, str]]:
    plan = CampaignPlan(
        name="Visitor conversion",
        objective="visitor_conversion",
        salt=salt,
        as_of=as_of,
        duration_days=30,
        metric="conversion_rate",
        targets=(
            target_from(
                "best_seller_visitors",
                "visitors: best-sellers",
                'visitor = "never bought"',
                baseline=0.02,
            ),
        ),
    )
    return plan, {
        "plan": "Visitors who never bought, shown value-for-money best-sellers for a month.",
        "targets[0]": "Needs a visitors file. The baseline is the operator's guess\n"
        "of a visitor's monthly conversion without the campaign: history has no such rate.",
    }


def _churn_recall(salt: str, as_of: dt.date | None) -> tuple[CampaignPlan, dict[str, str]]:
    plan = CampaignPlan(
        name="Churn recall",
        objective="churn_recall",
        salt=salt,
        as_of=as_of,
        duration_days=7,
        suppress=("lifecycle = lost",),
        targets=(
            target_from(
                "new_product_recall",
                "sleeping VIPs",
                'lifecycle = sleeping and tier in ["VIP", "top VIP"]',
                channel="phone",
                costs=PHONE,
                contact_cap=1,
            ),
            target_from(
                "new_product_recall",
                "sleeping repeat buyers",
                "lifecycle = sleeping and purchases >= 2",
            ),
            target_from(
                "big_discount_winback",
                "sleeping one-time buyers",
                "lifecycle = sleeping and purchases = 1",
            ),
            target_from("light_incentive", "silent", "lifecycle = silent"),
        ),
    )
    return plan, {
        "plan": "Lost customers (beyond the 90% repurchase interval) are suppressed outside big\n"
        "sales events; the others are split by stage and by how often they bought.",
        "targets[0]": "High-value customers gone quiet: worth a personal call with new products.\n"
        "A customer goes to the first target that selects it, so later targets never\n"
        "contact these again.",
        "targets[1]": "Multi-purchase customers know the shop and can pay: new-product recall,\n"
        "no discount needed.",
        "targets[2]": "One-time buyers asleep: the hardest step is the second purchase; a big\n"
        "coupon, contacted once.",
        "targets[3]": "Silent customers: keep contact with a light incentive.",
    }


def _event_retention(salt: str, as_of: dt.date | None) -> tuple[CampaignPlan, dict[str, str]]:
    start = as_of or dt.date(2025, 9, 18)
    phases = (
        Phase("warm-up", start, start + dt.timedelta(days=2)),
        Phase("main", start + dt.timedelta(days=3), start + dt.timedelta(days=3)),
        Phase("after", start + dt.timedelta(days=4), start + dt.timedelta(days=6)),
    )
    plan = CampaignPlan(
        name="Sales event retention",
        objective="event_retention",
        salt=salt,
        as_of=as_of,
        duration_days=7,
        metric="conversion_rate",
        phases=phases,
        targets=(
            target_from("top_vip_coupon", "top VIP", 'tier = "top VIP"', phase="main"),
            target_from("vip_coupon", "VIP", 'tier = "VIP"', phase="main"),
            target_from(
                "event_warm_up",
                "active and silent",
                "lifecycle in [active, silent]",
                phase="warm-up",
            ),
            target_from(
                "event_main", "sleeping and lost", "lifecycle in [sleeping, lost]", phase="main"
            ),
        ),
    )
    return plan, {
        "plan": "A sales event: each phase has its own model. Lost customers are contacted now,\n"
        "because a big event is the one time it pays.",
        "phases": "Warm-up (preview, add to cart), main day (offers), after (care).",
        "targets[0]": "Membership tiers first: top VIP get the 50 coupon and a call.",
        "targets[1]": "VIP: the 20 coupon.",
    }


def _custom(salt: str, as_of: dt.date | None) -> tuple[CampaignPlan, dict[str, str]]:
    plan = CampaignPlan(
        name="Custom campaign",
        objective="custom",
        salt=salt,
        as_of=as_of,
        arms=DEFAULT_ARMS,
        suppress=("lifecycle = lost",),
        targets=(
            target_from("keep_warm", "active", "lifecycle = active"),
            target_from(
                "light_incentive",
                "silent: two coupon values",
                "lifecycle = silent",
                arms=(
                    Arm("control", 0.2, control=True),
                    Arm("coupon 5", 0.4, offer=Offer("coupon", 5.0, 99.0)),
                    Arm("coupon 10", 0.4, offer=Offer("coupon", 10.0, 99.0)),
                ),
            ),
        ),
    )
    return plan, {
        "targets[1]": "Two coupon values against one control within the silent stage.",
    }
