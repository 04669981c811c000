"""Header presets: how real exports name the canonical columns, and how their rows are laid out.

A preset maps each canonical column to the headers that exports use for it, in order of
preference. The loader picks the preset that covers the required columns and the most others;
A column mapping (canonical=source) from the user overrides any entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from crm_tui.language import N_

Layout = Literal["orders", "line_items_sum", "line_items_first"]


ENGLISH_UNPAID = ("unpaid", "pending")
ENGLISH_VOID = (
    "refunded",
    "refund",
    "cancelled",
    "canceled",
    "closed",
    "voided",
    "returned",
    "failed",
)
CHINESE_UNPAID = ("等待买家付款", "待付款")
CHINESE_VOID = ("交易关闭", "退款成功", "已退款", "已取消", "交易取消")


@dataclass(frozen=True)
class RowRules:
    """Which rows of an export are not purchases, in that export's own words (lower case)."""

    unpaid: tuple[str, ...] = ENGLISH_UNPAID + CHINESE_UNPAID
    void: tuple[str, ...] = ENGLISH_VOID + CHINESE_VOID  # refunded, cancelled, closed
    cancelled_prefix: str | None = None  # order ids that mark a cancellation invoice
    returns: bool = False  # a row with a quantity below one is a return


@dataclass(frozen=True)
class Preset:
    name: str
    columns: Mapping[str, Sequence[str]]
    # orders: one row per order; line_items_sum: one row per product, amounts summed per order;
    # line_items_first: one row per product with the order's fields on its first row only.
    layout: Layout = "orders"
    notes: str = ""
    derived: Mapping[str, Sequence[str]] = field(default_factory=dict)
    rows: RowRules = field(default_factory=RowRules)


ORDER_REQUIRED = ("customer_id", "ordered_at", "amount")

ORDER_PRESETS: tuple[Preset, ...] = (
    Preset(
        "plain",
        {
            "customer_id": (
                "customer_id",
                "customer",
                "customerid",
                "buyer_id",
                "user_id",
                "member_id",
                "client_id",
                "email",
            ),
            "order_id": ("order_id", "orderid", "order", "order_no", "order_number", "id"),
            "ordered_at": (
                "ordered_at",
                "order_date",
                "order_time",
                "date",
                "datetime",
                "created_at",
                "paid_at",
                "purchase_date",
                "timestamp",
            ),
            "amount": (
                "amount",
                "paid",
                "paid_amount",
                "total",
                "order_total",
                "revenue",
                "value",
                "dollar_value",
                "sales",
                "price",
            ),
            "items": ("items", "quantity", "qty", "number_of_items", "number_of_cds"),
            "category": ("category", "product_category"),
            "channel": ("channel", "source", "platform"),
            "status": ("status", "order_status"),
        },
    ),
    Preset(
        "taobao",
        {
            "order_id": ("订单编号", "订单号", "主订单编号"),
            "customer_id": ("买家会员名", "买家昵称", "买家ID", "会员名"),
            "ordered_at": ("订单付款时间", "付款时间", "订单创建时间", "创建时间", "下单时间"),
            "amount": ("买家实际支付金额", "实付金额", "实际支付金额", "总金额"),
            "items": ("宝贝总数量", "商品数量", "购买数量"),
            "category": ("宝贝种类", "商品类目", "类目"),
            "channel": ("订单来源", "渠道"),
            "status": ("订单状态", "交易状态"),
        },
        notes=N_("Taobao/Tmall order export; unpaid and closed orders are not purchases"),
        rows=RowRules(unpaid=CHINESE_UNPAID, void=CHINESE_VOID),
    ),
    Preset(
        "shopify",
        {
            "order_id": ("Name",),
            "customer_id": ("Email", "Customer ID", "Billing Name"),
            "ordered_at": ("Paid at", "Created at"),
            "amount": ("Total",),
            "items": ("Lineitem quantity",),
            "category": ("Vendor",),
            "channel": ("Source",),
            "status": ("Financial Status",),
        },
        layout="line_items_first",
        notes=N_("Shopify order export; one row per line item, order totals on its first row"),
        rows=RowRules(unpaid=ENGLISH_UNPAID, void=ENGLISH_VOID),
    ),
    Preset(
        "online_retail",
        {
            "order_id": ("InvoiceNo", "Invoice"),
            "customer_id": ("CustomerID", "Customer ID"),
            "ordered_at": ("InvoiceDate",),
            "items": ("Quantity",),
            "category": ("StockCode",),
            "channel": ("Country",),
        },
        layout="line_items_sum",
        derived={"amount": ("Quantity", "UnitPrice|Price")},
        notes=N_(
            "UCI Online Retail; Quantity x UnitPrice summed per invoice, 'C' invoices and "
            "returns excluded"
        ),
        rows=RowRules(cancelled_prefix="C", returns=True),
    ),
)

RESULT_PRESETS: tuple[Preset, ...] = (
    Preset(
        "plain",
        {
            "customer_id": ("customer_id", "customer", "customerid", "user_id", "member_id"),
            "arm": ("arm", "group", "variant", "treatment"),
            "segment": ("segment", "target"),
            "customers": ("customers", "users", "audience", "reach"),
            "impressions": ("impressions", "views", "exposures"),
            "clicks": ("clicks",),
            "add_to_cart": ("add_to_cart", "add_to_carts", "carts", "atc"),
            "conversions": ("conversions", "orders", "purchases"),
            "revenue": ("revenue", "sales", "gmv", "amount"),
            "cost": ("cost", "spend"),
            "pre_revenue": ("pre_revenue", "pre_period_revenue", "covariate", "pre_period"),
        },
    ),
    Preset(
        "chinese_ad_report",
        {
            "customer_id": ("用户ID", "会员名", "买家会员名", "客户ID"),
            "arm": ("分组", "实验组", "组别"),
            "segment": ("人群", "人群包", "分层"),
            "customers": ("人数", "覆盖人数", "触达人数"),
            "impressions": ("展现量", "曝光量"),
            "clicks": ("点击量", "点击数"),
            "add_to_cart": ("加购数", "加购量", "添加购物车数"),
            "conversions": ("成交笔数", "成交订单数", "转化数"),
            "revenue": ("成交金额", "成交额"),
            "cost": ("花费", "消耗", "费用"),
            "pre_revenue": ("活动前成交金额",),
        },
        notes=N_("Chinese ad-platform report"),
    ),
)


def normalise_header(name: str) -> str:
    """Compare headers without case, surrounding space, or space/underscore/hyphen differences."""
    return "".join(ch for ch in name.strip().lower() if ch not in " _-")


VISITOR_PRESETS: tuple[Preset, ...] = (
    Preset(
        "plain",
        {
            "customer_id": (
                "customer_id",
                "visitor_id",
                "user_id",
                "member_id",
                "访客ID",
                "会员名",
            ),
            "visited_at": ("visited_at", "last_visit", "visit_time", "date", "访问时间"),
            "page_views": ("page_views", "views", "pv", "浏览量"),
            "favourites": ("favourites", "favorites", "收藏数"),
            "add_to_cart": ("add_to_cart", "carts", "加购数"),
        },
    ),
)

PROFILE_PRESETS: tuple[Preset, ...] = (
    Preset(
        "plain",
        {
            "customer_id": ("customer_id", "user_id", "member_id", "买家会员名"),
            "sms_opt_in": ("sms_opt_in", "sms", "accepts_sms"),
            "push_opt_in": ("push_opt_in", "push", "accepts_push"),
            "email_opt_in": ("email_opt_in", "email_opt_in", "accepts_email", "Accepts Marketing"),
            "phone_opt_in": ("phone_opt_in", "phone", "accepts_phone"),
            "ads_opt_in": ("ads_opt_in", "ads", "accepts_ads"),
        },
    ),
)
