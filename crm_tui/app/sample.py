"""A realistic, deterministic sample shop: orders, visitors and customer profiles.

Most customers buy once; the chance of coming back falls with the time since the last purchase
(log-normal intervals with a long tail), rises with each purchase and with the first order's
value; order values are heavy-tailed and grow with the purchase count.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import polars as pl

from crm_tui.errors import InputError
from crm_tui.io.writers import write_atomic
from evaluation.phrases import Phrase

START = dt.datetime(2024, 1, 1)
DAYS = 731  # two years of trading: 2024-01-01 to 2025-12-31
CATEGORIES = ("apparel", "shoes", "bags", "accessories", "beauty")
CHANNELS = ("app", "pc", "mini-program")
OPT_IN_RATES = {"sms": 0.85, "push": 0.6, "email": 0.4, "phone": 0.2, "ads": 0.9}


@dataclass(frozen=True)
class SampleShop:
    orders: pl.DataFrame
    visitors: pl.DataFrame
    profiles: pl.DataFrame


def generate(customers: int = 20000, seed: int = 7) -> SampleShop:
    rng = np.random.default_rng(seed)
    orders = _orders(rng, customers)
    buyers = orders["customer_id"].unique().sort()
    return SampleShop(orders, _visitors(rng, buyers, customers), _profiles(rng, buyers))


def _orders(rng: np.random.Generator, n: int) -> pl.DataFrame:
    ids = np.array([f"C{i:06d}" for i in range(1, n + 1)])
    day = rng.uniform(0, DAYS, n)
    taste = rng.lognormal(np.log(110), 0.75, n)  # each customer's usual basket value
    first_value = taste * rng.lognormal(0, 0.25, n)
    affinity = np.clip(1 + 0.45 * np.log(first_value / 110), 0.35, 1.9)
    alive = np.ones(n, dtype=bool)
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    k = 1
    while alive.any():
        who = np.flatnonzero(alive)
        value = first_value[who] if k == 1 else taste[who] * rng.lognormal(0.05 * k, 0.3, len(who))
        rows.append((who, day[who], value))
        repeat = rng.random(len(who)) < 0.08  # a second order on the same day
        if repeat.any():
            extra = who[repeat]
            rows.append((extra, day[extra] + rng.uniform(0, 0.2, len(extra)), taste[extra] * 0.5))
        p_return = np.clip((0.2 + 0.1 * (k - 1)) * affinity[who], 0, 0.85)
        returns = rng.random(len(who)) < p_return
        day[who] += rng.lognormal(np.log(55), 1.0, len(who))
        alive[who] = returns & (day[who] < DAYS)
        k += 1
    who = np.concatenate([r[0] for r in rows])
    when = np.concatenate([r[1] for r in rows])
    value = np.round(np.concatenate([r[2] for r in rows]), 2)
    order = np.lexsort((who, when))
    m = len(order)
    status = rng.choice(["paid", "refunded", "closed"], m, p=[0.955, 0.03, 0.015])
    seconds = (when[order] * 86400).astype("int64")
    return pl.DataFrame(
        {
            "order_id": [f"O{i:08d}" for i in range(1, m + 1)],
            "customer_id": ids[who[order]],
            "ordered_at": pl.Series(START + dt.timedelta(seconds=int(s)) for s in seconds),
            "amount": np.maximum(value[order], 9.9),
            "items": rng.integers(1, 4, m) + (value[order] > 300),
            "category": rng.choice(CATEGORIES, m, p=[0.35, 0.2, 0.15, 0.15, 0.15]),
            "channel": rng.choice(CHANNELS, m, p=[0.6, 0.15, 0.25]),
            "status": status,
        }
    )


def _visitors(rng: np.random.Generator, buyers: pl.Series, n: int) -> pl.DataFrame:
    prospects = [f"V{i:06d}" for i in range(1, int(n * 0.6) + 1)]
    returning = buyers.sample(fraction=0.3, seed=int(rng.integers(1 << 31))).sort().to_list()
    ids = prospects + returning
    m = len(ids)
    last = rng.uniform(DAYS - 90, DAYS, m)
    return pl.DataFrame(
        {
            "customer_id": ids,
            "visited_at": pl.Series(START + dt.timedelta(days=float(d)) for d in last).dt.date(),
            "page_views": rng.geometric(0.25, m),
            "favourites": rng.binomial(3, 0.15, m),
            "add_to_cart": rng.binomial(2, 0.2, m),
        }
    )


def _profiles(rng: np.random.Generator, buyers: pl.Series) -> pl.DataFrame:
    m = len(buyers)
    columns = {f"{c}_opt_in": rng.random(m) < p for c, p in OPT_IN_RATES.items()}
    return pl.DataFrame({"customer_id": buyers, **columns})


FILE_NAMES = (
    "orders.csv",
    "visitors.csv",
    "profiles.csv",
    "plan.toml",
    "assignment.csv",
    "results.csv",
)


def write(shop: SampleShop, out: Path) -> list[Path]:
    """Write the data set as CSV files into out (created if needed); returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in (
        ("orders", shop.orders),
        ("visitors", shop.visitors),
        ("profiles", shop.profiles),
    ):
        path = out / f"{name}.csv"
        frame.write_csv(path, datetime_format="%Y-%m-%d %H:%M:%S")
        written.append(path)
    return written


def write_all(
    out: Path, customers: int = 20000, seed: int = 7, overwrite: bool = False
) -> list[Path]:
    """The sample shop, then a visitor-conversion plan for it, its assignment and results.

    Everything is made in a scratch folder first and then written into out file by file, each
    through a temporary file renamed into place: a run that fails writes nothing, and a killed
    one leaves whole files only.
    """
    if seed < 0:
        raise InputError(
            Phrase(
                "seed {seed}: expected a whole number >= 0",
                seed=seed,
            ),
            setting="seed",
        )
    with tempfile.TemporaryDirectory(prefix="crm-tui-sample-") as scratch:
        try:
            made = _make(Path(scratch), customers, seed)
        except InputError as exc:  # the generated shop has too few repeat buyers to segment
            raise InputError(
                Phrase(
                    "a sample of {customers:,} customers is too small ({exc})",
                    customers=customers,
                    exc=exc,
                ),
                setting="customers",
            ) from None
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                Phrase(
                    "{out}: cannot make the folder ({strerror})",
                    out=out,
                    strerror=exc.strerror,
                )
            ) from None
        for path in made:
            write_atomic(out / path.name, partial(shutil.copyfile, path), overwrite)
    return [out / path.name for path in made]


def _make(folder: Path, customers: int, seed: int) -> list[Path]:
    from campaigns.assign import assign
    from campaigns.library import starter_plan
    from campaigns.toml_io import plan_hash, save_plan
    from crm_tui.app.shop import ShopFiles, load_shop
    from crm_tui.io.writers import write_safe_csv

    written = write(generate(customers, seed), folder)
    # the files `plan assign sample_data/plan.toml` falls back to: the bundled assignment is
    # the one it writes, opt-outs suppressed
    files = ShopFiles(folder / "orders.csv", folder / "visitors.csv", folder / "profiles.csv")
    shop = load_shop(files)
    seg = shop.segment()
    starter = starter_plan("visitor_conversion", f"sample-{seed}", seg.as_of)
    save_plan(starter.plan, folder / "plan.toml", comments=starter.comments)
    hashed = plan_hash(starter.plan)
    assignment, _ = assign(starter.plan, seg.customers, shop.profiles, hashed)
    write_safe_csv(assignment, folder / "assignment.csv")
    # outcomes are drawn for every targeted customer, as if none had opted out, so that each
    # one's draws do not move with the opt-outs; the suppressed, in no arm, then have no row
    everyone, _ = assign(starter.plan, seg.customers, None, hashed)
    in_an_arm = assignment.filter(pl.col("arm").is_not_null())["customer_id"].implode()
    results = campaign_results(everyone, seed).filter(pl.col("customer_id").is_in(in_an_arm))
    results.write_csv(folder / "results.csv")
    return [*written, folder / "plan.toml", folder / "assignment.csv", folder / "results.csv"]


# Planted effects of the sample campaign, chosen so that the expected lifts are those reported
# for visitor conversion (DOMAIN): CTR +65%, ROI +133%, conversion cost -51%, customer value
# (revenue per converting customer) +134%, cost per click about equal. With cost = clicks x CPC,
# conversion cost = CPC / (conversions per click) and ROI = value per converter / conversion cost
# x converters / conversions, which fixes conversions per click (x2.04) and conversions per
# converter (x2.05); the rest follows.
IMPRESSIONS = 8.0
REACH = 0.9
CPC = 0.8
ARM_EFFECTS = {
    # ctr, P(convert | clicked), extra conversions per converter, value per conversion
    "control": (0.020, 0.150, 0.100, 60.0),
    "treatment": (0.033, 0.157, 1.255, 68.4),
}


def campaign_results(assignment: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Outcome rows of a simulated campaign, only for customers the ads reached."""
    rng = np.random.default_rng(seed)
    rows = assignment.filter(pl.col("arm").is_not_null())
    n = rows.height
    params = np.array([ARM_EFFECTS[a] for a in rows["arm"]])
    ctr, convert, extra, value = params.T
    reached = rng.random(n) < REACH
    impressions = np.where(reached, rng.poisson(IMPRESSIONS, n), 0)
    clicks = rng.binomial(impressions, ctr)
    converted = (clicks > 0) & (rng.random(n) < convert)
    conversions = np.where(converted, 1 + rng.poisson(extra), 0)
    # log-normal order values with the arm's mean: mean = exp(mu + sigma^2 / 2)
    sigma = 0.8
    mu = np.log(value) - sigma**2 / 2
    owner = np.repeat(np.arange(n), conversions)
    draws = rng.lognormal(mu[owner], sigma)
    revenue = np.bincount(owner, weights=draws, minlength=n)
    frame = pl.DataFrame(
        {
            "customer_id": rows["customer_id"],
            "impressions": impressions,
            "clicks": clicks,
            "add_to_cart": rng.binomial(clicks, 0.3),
            "conversions": conversions,
            "revenue": np.round(revenue, 2),
            "cost": np.round(clicks * CPC, 2),
        }
    )
    return frame.filter(pl.col("impressions") > 0)


SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"


def sample_paths() -> dict[str, Path]:
    """The bundled sample data set, generated into the user's cache if the checkout lacks it."""
    folder = SAMPLE_DIR
    if not (folder / "orders.csv").exists():
        folder = Path.home() / ".cache" / "crm-tui" / "sample"
        if not (folder / "orders.csv").exists():
            write_all(folder)
    return {p.stem: p for p in folder.iterdir() if p.is_file()}
