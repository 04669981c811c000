"""The strategy DOMAIN practice suggests for each segment of each scheme."""

from __future__ import annotations

LIFECYCLE_STAGES = ("active", "silent", "sleeping", "lost")
TIERS = ("member", "VIP", "top VIP")

SUGGESTIONS: dict[str, dict[str, str]] = {
    "lifecycle": {
        "active": "keep contact frequency; no discount-led messages",
        "silent": "keep contact frequency; light incentive",
        "sleeping": "limited contact; win back with a big discount",
        "lost": "suppress contact; only for major sales events",
    },
    "rfm": {
        "Champions": "reward; early access and new products, no discounts needed",
        "Loyal": "upsell higher-value items; ask for reviews",
        "Potential Loyalists": "membership and a second-purchase incentive",
        "New Customers": "onboarding care; push the hard first-to-second purchase",
        "Promising": "brand awareness; small first-repurchase coupon",
        "Need Attention": "limited-time offer based on past purchases",
        "About To Sleep": "light incentive with popular products",
        "At Risk": "personal win-back message with a strong offer",
        "Can't Lose Them": "win back at any reasonable cost; phone or personal service",
        "Hibernating": "big-discount win-back; otherwise leave alone",
        "Lost": "suppress; contact only for major sales events",
    },
    "first_order_value": {
        "retain first": "retain first: personal follow-up and a second-purchase offer",
        "second priority": "second priority: light second-purchase incentive",
        "backup pool": "backup pool: low value, contact only in big campaigns",
    },
    "tier": {
        "member": "member care: points and birthday/holiday messages",
        "VIP": "VIP coupon (20 CNY) and early access",
        "top VIP": "top-VIP coupon (50 CNY) and personal service",
    },
    "visitor": {
        "never bought": "best-sellers with high value for money, at the right moment",
        "bought": "handled by the other schemes",
    },
}


def suggestion(scheme: str, segment: str | None) -> str:
    return SUGGESTIONS.get(scheme, {}).get(segment or "", "")
