"""The names a plan uses (objectives, channels, offers, strategies) as people read them.

Plans, TOML and the command line keep the identifiers (`churn_recall`, `sms`); screens and
readable output show these, in the language in use.
"""

from __future__ import annotations

from campaigns.model import Offer
from crm_tui.language import N_, _

WORDS = {
    # objectives
    "visitor_conversion": N_("visitor_conversion"),
    "churn_recall": N_("churn_recall"),
    "event_retention": N_("event_retention"),
    "custom": N_("custom"),
    # channels
    "sms": N_("sms"),
    "push": N_("push"),
    "email": N_("email"),
    "phone": N_("phone"),
    "ads": N_("ads"),
    # offer kinds ("none" serves channels and offers alike)
    "none": N_("none"),
    "coupon": N_("coupon"),
    "percent": N_("percent"),
    "gift": N_("gift"),
    "free_shipping": N_("free shipping"),
    "preview": N_("preview"),
    # strategies
    "keep_warm": N_("keep_warm"),
    "light_incentive": N_("light_incentive"),
    "big_discount_winback": N_("big_discount_winback"),
    "suppress": N_("suppress"),
    "best_seller_visitors": N_("best_seller_visitors"),
    "new_product_recall": N_("new_product_recall"),
    "vip_coupon": N_("vip_coupon"),
    "top_vip_coupon": N_("top_vip_coupon"),
    "event_warm_up": N_("event_warm_up"),
    "event_main": N_("event_main"),
    "event_after": N_("event_after"),
}


def word(identifier: str) -> str:
    """An identifier of a plan as shown; one crm-tui does not know is shown as it is."""
    return _(WORDS[identifier]) if identifier in WORDS else identifier


def offer_text(offer: Offer) -> str:
    if offer.kind == "coupon":
        if offer.min_spend:
            return _("coupon {value:g} over {floor:g}").format(
                value=offer.value, floor=offer.min_spend
            )
        return _("coupon {value:g}").format(value=offer.value)
    if offer.kind == "percent":
        return _("discount {value:g}%").format(value=offer.value)
    if offer.kind in ("gift", "free_shipping"):
        return f"{word(offer.kind)} ({offer.value:g})"
    return word(offer.kind)
