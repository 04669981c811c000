"""Every reader, fed mutated copies of a valid file: exit 0, or exit 2 with one line; never a
traceback. Fixed seeds and a bounded number of cases, so every run tries the same inputs."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from crm_tui.cli.main import main

CASES = 40
TOKENS = [
    b",",
    b";",
    b'"',
    b"\n",
    b"\r",
    b"\r\n",
    b"\x00",
    b"\xff\xfe",
    b"\xe9",
    b"inf",
    b"-1e308",
    b"9999-12-31",
    b"0000-00-00",
    b"=1+1",
    b"'",
    b"NaN",
    b"",
    b" ",
    b"1,5",
    b"[",
    b"]",
    b"=",
    b"\xe4\xb8\xad",
    b"(((",
    b"not not",
    b"or",
    b"999999999999999999999",
    b"#",
    b"\\",
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four edits: flip, insert a token, delete a span, repeat a line, or truncate."""
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) + 1)
        kind = rng.randrange(5)
        if kind == 0 and data:
            data = data[: at - 1] + bytes([rng.randrange(256)]) + data[at:]
        elif kind == 1:
            data = data[:at] + rng.choice(TOKENS) + data[at:]
        elif kind == 2:
            data = data[:at] + data[at + rng.randint(1, 40) :]
        elif kind == 3:
            lines = data.split(b"\n")
            line = rng.randrange(len(lines))
            data = b"\n".join([*lines[: line + 1], lines[line], *lines[line + 1 :]])
        else:
            data = data[:at]
    return data


ORDERS = "customer_id,order_id,ordered_at,amount,status\n" + "".join(
    f"c{i % 13},o{i},2024-{1 + i % 12:02d}-{1 + i % 27:02d} 10:00:00,{10 + i % 17}.5,paid\n"
    for i in range(90)
)
VISITORS = "customer_id,visited_at,page_views\n" + "".join(
    f"v{i},2024-05-0{1 + i % 9},{i % 5}\n" for i in range(20)
)
PROFILES = "customer_id,sms_opt_in,phone_opt_in\n" + "".join(
    f"c{i},{'yes' if i % 3 else 'no'},true\n" for i in range(13)
)
RESULTS = "customer_id,arm,impressions,clicks,conversions,revenue,cost\n" + "".join(
    f"c{i},{'control' if i % 4 == 0 else 'treatment'},{3 + i % 4},{i % 3},{i % 2},"
    f"{(i % 2) * 25.5},{0.8 * (i % 3)}\n"
    for i in range(80)
)
PLAN = """schema_version = 1
name = "fuzz"
objective = "custom"
salt = "s"
suppress = ["lifecycle = lost"]
[segmentation]
lifecycle_days = [30, 60, 120]
[[targets]]
name = "sleeping"
selector = "lifecycle = sleeping and orders >= 2"
channel = "sms"
[targets.offer]
kind = "coupon"
value = 5
[[targets]]
name = "rest"
selector = "all"
"""


def fixed(tmp_path: Path) -> dict[str, Path]:
    files = {"orders.csv": ORDERS, "plan.toml": PLAN, "profiles.csv": PROFILES}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return {name.split(".")[0]: tmp_path / name for name in files}


def orders_args(path: Path, files: dict[str, Path]) -> list[str]:
    return ["segment", str(path), "--lifecycle-days", "30,60,120"]


def visitors_args(path: Path, files: dict[str, Path]) -> list[str]:
    return ["segment", str(files["orders"]), "--visitors", str(path), "--lifecycle-days", "1,2,3"]


def profiles_args(path: Path, files: dict[str, Path]) -> list[str]:
    return [
        "plan",
        "check",
        str(files["plan"]),
        "--orders",
        str(files["orders"]),
        "--profiles",
        str(path),
    ]


def results_args(path: Path, files: dict[str, Path]) -> list[str]:
    return ["evaluate", str(path)]


def plan_args(path: Path, files: dict[str, Path]) -> list[str]:
    return ["plan", "check", str(path), "--orders", str(files["orders"])]


READERS: dict[str, tuple[str, str, Callable[[Path, dict[str, Path]], list[str]]]] = {
    "orders": ("o.csv", ORDERS, orders_args),
    "visitors": ("v.csv", VISITORS, visitors_args),
    "profiles": ("p.csv", PROFILES, profiles_args),
    "results": ("r.csv", RESULTS, results_args),
    "plan": ("p.toml", PLAN, plan_args),
}


def binary_orders(suffix: str) -> bytes:
    frame = pl.read_csv(io.StringIO(ORDERS), infer_schema=False)
    buffer = io.BytesIO()
    if suffix == ".parquet":
        frame.write_parquet(buffer)
    else:
        frame.write_excel(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("reader", [*sorted(READERS), "orders.parquet", "orders.xlsx"])
def test_mutated_files_get_an_answer_or_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reader: str
) -> None:
    if reader.startswith("orders."):
        suffix = reader.removeprefix("orders")
        name, base, args = f"o{suffix}", binary_orders(suffix), orders_args
    else:
        name, text, args = READERS[reader]
        base = text.encode()
    files = fixed(tmp_path)
    rng = random.Random(f"crm-tui fuzz {reader}")
    assert main(args(_write(tmp_path / name, base), files)) == 0  # the base is valid
    for case in range(CASES):
        data = mutate(base, rng)
        path = _write(tmp_path / name, data)
        capsys.readouterr()
        code = main(args(path, files))
        err = capsys.readouterr().err
        assert code in (0, 2), (case, data)
        if code == 2:
            assert err.startswith("crm-tui: error: ") and "Traceback" not in err, (case, data)
            assert len(err.strip().splitlines()) == 1, (case, data, err)


def test_mutated_selectors_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = fixed(tmp_path)
    rng = random.Random("crm-tui fuzz selectors")
    selector = b'lifecycle in [sleeping, "lost"] and not (orders >= 2 or tier = VIP)'
    for case in range(CASES):
        mutated = mutate(selector, rng).decode("utf-8", "replace")
        escaped = mutated.replace("\\", "\\\\").replace('"', '\\"')
        plan = PLAN.replace('selector = "all"', f'selector = "{escaped}"')
        path = _write(tmp_path / "s.toml", plan.encode())
        capsys.readouterr()
        code = main(plan_args(path, files))
        err = capsys.readouterr().err
        assert code in (0, 2), (case, mutated)
        if code == 2:
            assert err.startswith("crm-tui: error: ") and "Traceback" not in err, (case, mutated)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
