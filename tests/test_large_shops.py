"""A shop too large for memory keeps its orders on disk in parts: every command gives the same
output as with the orders in memory (the same text; floats in JSON to 1e-12, as Polars' group-by
adds them in an order that varies from run to run)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from crm_tui.app import shop
from crm_tui.cli.main import main
from crm_tui.engine import Segmentation


def _outputs(sample_dir: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    orders = str(sample_dir / "orders.csv")
    data = ["--orders", orders, "--profiles", str(sample_dir / "profiles.csv")]
    plan = out / "plan.toml"
    commands = {
        "segment": ["segment", orders, "--visitors", str(sample_dir / "visitors.csv"), "--json"],
        "init": [
            "plan",
            "init",
            "--objective",
            "churn_recall",
            "--salt",
            "s",
            "--out",
            str(plan),
            "--orders",
            orders,
        ],
        "check": ["plan", "check", str(plan), *data, "--json"],
        "assign": ["plan", "assign", str(plan), *data, "--out", str(out / "assignment.csv")],
        "predict": ["predict", orders, "--json"],
    }
    found = {}
    for name, args in commands.items():
        capsys.readouterr()
        assert main(args) == 0, name
        found[name] = capsys.readouterr().out.replace(str(out), "OUT")
    found["plan.toml"] = plan.read_text()
    found["assignment.csv"] = (out / "assignment.csv").read_text()
    return found


def test_orders_on_disk_give_the_same_answers(
    sample_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "memory").mkdir()
    (tmp_path / "disk").mkdir()
    in_memory = _outputs(sample_dir, tmp_path / "memory", capsys)
    monkeypatch.setattr(shop, "SPILL_ORDERS", 0)
    monkeypatch.setattr(shop, "PART_ORDERS", 2000)  # the sample's orders in 8 parts or more
    spilled: list[int] = []
    load_orders = shop.load_orders

    def counting(*args: object) -> object:
        loaded = load_orders(*args)  # type: ignore[arg-type]
        spilled.append(len(getattr(loaded.orders, "parts", ())))
        return loaded

    monkeypatch.setattr(shop, "load_orders", counting)
    on_disk = _outputs(sample_dir, tmp_path / "disk", capsys)
    assert spilled and min(spilled) >= 8
    for name, text in in_memory.items():
        if text.startswith("{"):
            assert _close(json.loads(on_disk[name]), json.loads(text)), name
        else:
            assert on_disk[name] == text, name


def _close(got: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return got.keys() == expected.keys() and all(_close(got[k], expected[k]) for k in got)
    if isinstance(expected, list):
        return len(got) == len(expected) and all(map(_close, got, expected))
    if isinstance(expected, float) and isinstance(got, float):
        return got == pytest.approx(expected, rel=1e-12, abs=1e-12)
    return bool(got == expected)


def test_views_of_some_columns_on_disk_come_first_and_alone(
    sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In memory one sort serves both a plan's dates; on disk each date is its own pass, the
    history (a view of the selectors' columns) first, so that memory never holds two whole
    segmentations. Either way a view of some columns is the whole view's columns."""
    files = shop.ShopFiles(sample_dir / "orders.csv")
    passes: list[list[object]] = []
    engine = shop.segment_each

    def recording(parts: object, settings: object, ends: list[object], columns: object) -> object:
        passes.append(ends)
        return engine(parts, settings, ends, columns)  # type: ignore[arg-type]

    monkeypatch.setattr(shop, "segment_each", recording)
    in_memory = shop.load_shop(files)
    latest = in_memory.latest_as_of
    past = latest - dt.timedelta(days=60)
    slim = shop.View(past, False, frozenset({"rfm", "lifecycle"}))
    whole = in_memory.segment_each(None, [shop.View(past, False)])[0]
    assert isinstance(whole, Segmentation)
    expected = whole.customers.select("customer_id", "lifecycle", "rfm")
    passes.clear()
    in_memory = shop.load_shop(files)
    found = in_memory.segment_each(None, [shop.View(latest), slim])[1]
    assert passes == [[None, past]]
    assert isinstance(found, Segmentation) and found.customers.equals(expected)

    monkeypatch.setattr(shop, "SPILL_ORDERS", 0)
    monkeypatch.setattr(shop, "PART_ORDERS", 2000)
    passes.clear()
    on_disk = shop.load_shop(files)
    found = on_disk.segment_each(None, [shop.View(latest), slim])[1]
    assert passes == [[past], [None]]
    assert isinstance(found, Segmentation) and found.customers.equals(expected)
