"""The bundled sample data is what its README's command makes, and what the plan commands give."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_tui.app.sample import FILE_NAMES, SAMPLE_DIR
from crm_tui.cli.main import main


def test_the_readme_command_makes_the_bundled_files(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    assert main(["sample", "--out", str(out), "--customers", "20000", "--seed", "7"]) == 0
    for name in FILE_NAMES:
        assert (out / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name


def test_the_sample_plan_assigns_as_bundled_from_the_sample_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sample_data/plan.toml records no files: plan assign falls back to the whole sample, its
    visitors (which the plan's selector reads) and profiles (whose opt-outs it suppresses)."""
    out = tmp_path / "assignment.csv"
    assert main(["plan", "assign", str(SAMPLE_DIR / "plan.toml"), "--out", str(out)]) == 0
    assert out.read_bytes() == (SAMPLE_DIR / "assignment.csv").read_bytes()
    assert "opted out of ads 21" in capsys.readouterr().out
