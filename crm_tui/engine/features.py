"""Customer features and daily buyer counts of canonical orders, from one sort, not group-bys.

The second purchase day and the first occasion's amount depend on each customer's first purchase
day, which a hash group-by can only learn in a first pass joined back to every order. Here every
order gets one 64-bit key: a hash of its customer id in the high bits and its purchase day (days
since the first day in the data) in the low bits. Sorted by that key, each customer's orders lie
in one contiguous run in day order, each purchase occasion (a customer's orders on one day) in
one sub-run: every feature is a reduction over runs or a lookup at their starts, and each day's
buyers and returning buyers are counts of occasions that do or do not start a run. The sorted
orders are cut into blocks that never split a customer, reduced side by side in threads (NumPy
releases the GIL), and the blocks' small scratch arrays are reused rather than freshly paged in.

Hashes can collide. A second, independent hash of the id (32 bits) must agree along every run;
where it does not, two customers shared a key, and the whole computation is repeated with other
seeds. Two customers are merged only if both hashes agree, at odds of about n**2 / 2**(97 - b)
for n customers and b day bits (b = 10 for two years of orders).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple, cast

import numpy as np
import polars as pl

from crm_tui.engine.memory import release_freed_memory

SEED_ATTEMPTS = 8
# small enough that a block's scratch arrays stay in cache and below the 4 MB from which NumPy
# asks for huge pages, whose compaction stalled the reduction by up to half a second
BLOCK_ORDERS = 1 << 18
SORTED = ("key", "check", "row", "at", "amount")
Parts = tuple[pl.LazyFrame, ...]  # orders in parts, each holding every order of its customers
Orders = pl.LazyFrame | pl.DataFrame | Parts


@dataclass(frozen=True)
class Purchases:
    customers: pl.DataFrame  # one row per customer (in no particular order)
    daily: pl.DataFrame  # per day with buyers: buyers, and the share who had bought on a day before


class _Counted(NamedTuple):
    customers: pl.DataFrame
    buyers: np.ndarray  # per day offset from the first day: customers buying that day
    returning: np.ndarray  # ... of whom had bought on an earlier day


class _Block(NamedTuple):
    customers: dict[str, np.ndarray]
    buyers: np.ndarray  # per day offset: customers buying that day
    returning: np.ndarray  # ... of whom had bought on an earlier day


def orders_where(orders: Orders, predicate: pl.Expr) -> Orders:
    """The orders the predicate keeps, in the same parts."""
    if isinstance(orders, tuple):
        return tuple(part.filter(predicate) for part in orders)
    return orders.lazy().filter(predicate)


def every_order(orders: Orders) -> pl.LazyFrame:
    """The orders as one lazy frame, the parts one after another: a filter on it is pushed
    into each part's scan, so a window's orders are read, not all of them."""
    return pl.concat(orders) if isinstance(orders, tuple) else orders.lazy()


def customer_features(orders: Orders) -> pl.DataFrame:
    """One row per customer (in no particular order): counts, sums, first/second/last dates."""
    return purchases(orders).customers


def purchases(orders: Orders) -> Purchases:
    """Customer features and the daily share of repeat buyers, from one pass over the orders."""
    return purchases_before(orders, [None])[0]


def purchases_before(orders: Orders, ends: Sequence[dt.date | None]) -> list[Purchases]:
    """The purchases as the shop stood before each date (None: with every order), from one sort.

    Sorted by key, the orders before a date are a prefix of each customer's run: filtering the
    sorted orders keeps them sorted, so each date costs a reduction, not another sort.

    Orders given in parts (each holding every order of its customers, as `part_number` splits
    them) are sorted and reduced one part at a time: memory holds one part's orders, not all.
    """
    parts = orders if isinstance(orders, tuple) else (orders,)
    if None not in ends:
        latest = max(d for d in ends if d is not None)
        parts = tuple(p.lazy().filter(pl.col("ordered_at").dt.date() < latest) for p in parts)
    frames: Iterator[pl.DataFrame]
    if len(parts) == 1:
        whole = _collected(parts[0])
        span, frames = _day_span(whole), iter([whole])
    else:  # the parts' first and last days, from their dates only
        span = _day_span(pl.concat([part.lazy() for part in parts]))
        frames = (_collected(part) for part in parts)
    if span is None:
        return [_empty(_collected_schema(parts[0])) for _ in ends]
    first_day, last_day = span
    day_bits = max(1, (last_day - first_day).days.bit_length())
    cuts = [None if end is None or end > last_day else end for end in ends]
    counted = [_counted(frame, cuts, first_day, day_bits) for frame in frames]
    by_end = [[part[i] for part in counted] for i in range(len(ends))]
    del counted  # _combined lets each part go as it is copied
    return [_combined(found, first_day) for found in by_end]


def part_number(parts: int) -> pl.Expr:
    """Which of `parts` parts (a power of two) an order belongs to, by its customer.

    The engine's first attempt keys customers by hash(0) in the high bits, and a part holds
    the customers of one range of those bits: the parts' purchases, concatenated in order, come
    in the order one sort of all the orders gives them, and so do sums over them."""
    if parts & (parts - 1) or parts < 1:
        raise ValueError(f"parts: expected a power of two, got {parts}")
    if parts == 1:
        return pl.lit(0, pl.UInt64)
    return pl.col("customer_id").hash(0) // pl.lit(2 ** (65 - parts.bit_length()), pl.UInt64)


def _collected(orders: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    # one chunk: gathering the customers' ids from a many-chunked scan costs three times as much
    frame = orders.lazy().select("customer_id", "ordered_at", "amount").collect().rechunk()
    if frame["ordered_at"].has_nulls() or frame["amount"].has_nulls():
        # canonical orders have none; an order without a time or amount cannot be keyed
        frame = frame.drop_nulls(["ordered_at", "amount"])
    return frame


def _collected_schema(orders: pl.LazyFrame | pl.DataFrame) -> pl.Schema:
    return orders.lazy().select("customer_id", "ordered_at", "amount").collect_schema()


def _day_span(orders: pl.LazyFrame | pl.DataFrame) -> tuple[dt.date, dt.date] | None:
    """The first and last days with an order, or None without any."""
    at = pl.col("ordered_at").filter(pl.col("amount").is_not_null())
    span = orders.lazy().select(at.min().alias("first"), at.max().alias("last")).collect()
    first, last = span.row(0)
    if first is None:
        return None
    return cast(dt.datetime, first).date(), cast(dt.datetime, last).date()


def _counted(
    frame: pl.DataFrame, cuts: Sequence[dt.date | None], first_day: dt.date, day_bits: int
) -> list[_Counted]:
    """One part's customers and daily counts before each cut, from one sort of its orders."""
    if frame.height == 0:
        return [_nothing(frame.schema, day_bits) for _ in cuts]
    for attempt in range(SEED_ATTEMPTS):
        keyed = _sort_by_key(frame, first_day, day_bits, seed=2 * attempt)
        found = [_until(frame, keyed, cut, first_day, day_bits) for cut in cuts]
        if all(c is not None for c in found):
            return cast(list[_Counted], found)
    raise RuntimeError(f"customer id hashes collided under {SEED_ATTEMPTS} seeds")


def _until(
    frame: pl.DataFrame, keyed: pl.DataFrame, end: dt.date | None, first_day: dt.date, day_bits: int
) -> _Counted | None:
    """The purchases of the sorted orders before `end`, or None when two customers share a key."""
    if end is not None and end <= first_day:
        return _nothing(frame.schema, day_bits)
    before = None if end is None else (end - first_day).days
    blocks = _reduce(keyed, day_bits, before)
    if blocks is None:
        return None
    buyers = np.sum([b.buyers for b in blocks], axis=0)
    returning = np.sum([b.returning for b in blocks], axis=0)
    customers = _customers(frame, blocks, first_day)
    del blocks
    release_freed_memory()  # the blocks' arrays, before the next cut or step builds on them
    return _Counted(customers, buyers, returning)


def _nothing(orders: pl.Schema, day_bits: int) -> _Counted:
    zeros = np.zeros(2**day_bits, dtype=np.int64)
    return _Counted(pl.DataFrame(schema=_schema(orders)), zeros, zeros)


def _combined(counted: list[_Counted], first_day: dt.date) -> Purchases:
    """The parts' purchases as one; empties `counted`, so that each part's customers are let
    go as soon as they are copied."""
    daily = _daily_frame(
        np.sum([c.buyers for c in counted], axis=0),
        np.sum([c.returning for c in counted], axis=0),
        first_day,
    )
    frames = [c.customers for c in counted]
    counted.clear()
    return Purchases(frames[0] if len(frames) == 1 else _concatenated(frames), daily)


def _concatenated(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The frames one after another, in one chunk as from one sort (a sum over chunks adds in
    another order, to other last digits); built a column at a time, each part's column let go
    once copied, so that memory holds one column twice rather than every column. Empties
    `frames`."""
    columns = []
    for name in frames[0].columns:
        columns.append(pl.concat([f.get_column(name) for f in frames], rechunk=True))
        frames[:] = [f.drop(name) for f in frames]
    frames.clear()
    return pl.DataFrame(columns)


def _empty(orders: pl.Schema) -> Purchases:
    empty = pl.DataFrame(schema=_schema(orders))
    return Purchases(empty, _daily_frame([], [], dt.date(1970, 1, 1)))


def _sort_by_key(frame: pl.DataFrame, first_day: dt.date, day_bits: int, seed: int) -> pl.DataFrame:
    day = (pl.col("ordered_at").dt.date() - pl.lit(first_day)).dt.total_days().cast(pl.UInt64)
    high_bits = pl.lit((2**64 - 1) ^ (2**day_bits - 1), pl.UInt64)
    # lazily: the query engine sorts the frame in parallel, twice as fast as DataFrame.sort here
    return (
        frame.lazy()
        .select(
            ((pl.col("customer_id").hash(seed) & high_bits) | day).alias("key"),
            (pl.col("customer_id").hash(seed + 1) % 2**32).cast(pl.UInt32).alias("check"),
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
            pl.col("ordered_at").to_physical().alias("at"),
            "amount",
        )
        # stable, so that a customer's orders of one day are summed in the order they were read,
        # whichever part or thread they are sorted in
        .sort("key", maintain_order=True)
        .collect()
        .rechunk()  # so that NumPy reads the columns in place
    )


def _reduce(keyed: pl.DataFrame, day_bits: int, before: int | None) -> list[_Block] | None:
    """The sorted orders (those before day offset `before`, if given) reduced block by block,
    or None when two customers share a key."""
    columns = {name: keyed[name].to_numpy() for name in SORTED}
    blocks = [
        {name: column[lo:hi] for name, column in columns.items()}
        for lo, hi in _block_bounds(columns["key"], day_bits)
    ]
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        parts = list(
            pool.map(_reduce_block, blocks, itertools.repeat(day_bits), itertools.repeat(before))
        )
    reduced = [part for part in parts if part is not None]
    return reduced if len(reduced) == len(parts) else None


def _block_bounds(key: np.ndarray, day_bits: int) -> list[tuple[int, int]]:
    """Slices of about BLOCK_ORDERS sorted orders, each ending where a customer's run ends."""
    cuts = [0]
    while cuts[-1] < len(key):
        inside = cuts[-1] + BLOCK_ORDERS
        next_customer = ((int(key[min(inside, len(key) - 1)]) >> day_bits) + 1) << day_bits
        if inside >= len(key) or next_customer >= 2**64:
            cuts.append(len(key))
        else:
            cuts.append(int(np.searchsorted(key, np.uint64(next_customer))))
    return list(itertools.pairwise(cuts))


def _reduce_block(block: dict[str, np.ndarray], day_bits: int, before: int | None) -> _Block | None:
    day_mask = np.uint64(2**day_bits - 1)
    if before is not None:  # filtered block by block, in cache and on both cores
        kept = (block["key"] & day_mask) < before
        block = {name: column[kept] for name, column in block.items()}
    key, check, at, amount = block["key"], block["check"], block["at"], block["amount"]
    step = key[1:] ^ key[:-1]  # zero within an occasion, below 2**day_bits within a customer
    new_customer, new_occasion = np.ones((2, len(key)), dtype=bool)
    np.greater_equal(step, np.uint64(2**day_bits), out=new_customer[1:])
    if np.any(~new_customer[1:] & (check[1:] != check[:-1])):
        return None
    np.not_equal(step, 0, out=new_occasion[1:])
    starts = np.flatnonzero(new_customer)
    occasions = np.flatnonzero(new_occasion)
    first = np.flatnonzero(new_customer[occasions])  # each customer's first occasion
    # a customer's second occasion follows its first; clipped for the block's last customer
    second = occasions[np.minimum(first + 1, len(occasions) - 1)]
    occasion_day = (key[occasions] & day_mask).astype(np.intp)
    returning = np.ones(len(occasions), dtype=bool)
    returning[first] = False
    customers = {
        "row": block["row"][starts],
        "orders": np.diff(starts, append=len(key)),
        "purchases": np.diff(first, append=len(occasions)),
        "revenue": np.add.reduceat(amount, starts),
        "first_order_at": np.minimum.reduceat(at, starts),
        "last_order_at": np.maximum.reduceat(at, starts),
        "second_purchase_on": (key[second] & day_mask).astype(np.int32),
        "first_order_amount": np.add.reduceat(amount, occasions)[first],
        "max_order_amount": np.maximum.reduceat(amount, starts),
    }
    return _Block(
        customers,
        buyers=np.bincount(occasion_day, minlength=2**day_bits),
        returning=np.bincount(occasion_day[returning], minlength=2**day_bits),
    )


def _customers(frame: pl.DataFrame, blocks: list[_Block], first_day: dt.date) -> pl.DataFrame:
    # joined by Polars: one large NumPy allocation per column stalls on huge-page compaction;
    # each column's block arrays are let go once joined, so the reduction is not held twice
    reduced = {
        name: pl.concat([pl.Series(name, b.customers.pop(name)) for b in blocks], rechunk=True)
        for name in list(blocks[0].customers)
    }
    epoch_day = (first_day - dt.date(1970, 1, 1)).days
    second_day = (pl.col("second_purchase_on") + epoch_day).cast(pl.Date)
    return (
        pl.DataFrame(reduced)
        .with_columns(
            frame["customer_id"].gather(reduced["row"]),
            pl.col("first_order_at", "last_order_at").cast(frame.schema["ordered_at"]),
            pl.when(pl.col("purchases") > 1).then(second_day).alias("second_purchase_on"),
        )
        .select(list(_schema(frame.schema)))
    )


def _daily_frame(
    buyers: Sequence[int] | np.ndarray, returning: Sequence[int] | np.ndarray, first_day: dt.date
) -> pl.DataFrame:
    counts = pl.DataFrame(
        {"buyers": buyers, "returning": returning},
        schema={"buyers": pl.Int64, "returning": pl.Int64},
    )
    return (
        counts.with_row_index("offset")
        .filter(pl.col("buyers") > 0)
        .select(
            (pl.lit(first_day) + pl.duration(days=pl.col("offset"))).alias("day"),
            "buyers",
            (pl.col("returning") / pl.col("buyers")).alias("repeat"),
        )
    )


def _schema(orders: pl.Schema) -> dict[str, pl.DataType]:
    return {
        "customer_id": orders["customer_id"],
        "orders": pl.Int64(),
        "purchases": pl.Int64(),
        "revenue": pl.Float64(),
        "first_order_at": orders["ordered_at"],
        "last_order_at": orders["ordered_at"],
        "second_purchase_on": pl.Date(),
        "first_order_amount": pl.Float64(),
        "max_order_amount": pl.Float64(),
    }
