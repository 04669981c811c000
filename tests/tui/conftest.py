from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_tui.language import use

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the checkout so that paths shown on screen are relative and stable."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def chinese() -> Iterator[None]:
    """The app in Simplified Chinese for one test; English again after it."""
    use("zh")
    try:
        yield
    finally:
        use("en")


def sample() -> dict[str, Path]:
    return {
        name: Path("sample_data") / f"{name}.{ext}"
        for name, ext in (
            ("orders", "csv"),
            ("visitors", "csv"),
            ("profiles", "csv"),
            ("plan", "toml"),
            ("assignment", "csv"),
            ("results", "csv"),
        )
    }
