"""--timings: the phases a command went through, on stderr, without touching its output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crm_tui.app.sample import sample_paths
from crm_tui.app.timings import phase, recording, summary
from crm_tui.cli.main import main


def test_an_enclosed_phase_counts_as_its_enclosers_time() -> None:
    with recording() as phases:
        with phase("outer"), phase("inner"):
            pass
        with phase("after"):
            pass
    assert [name for name, _ in phases] == ["outer", "after"]
    with phase("not recorded"):
        pass
    assert len(phases) == 2
    line = summary([("a", 1.0), ("b", 0.5)], 2.0)
    assert line == "a 1.00 s; b 0.50 s; other 0.50 s; total 2.00 s"


def test_plan_check_says_where_its_time_went(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = sample_paths()
    capsys.readouterr()
    check = ["plan", "check", str(paths["plan"]), "--visitors", str(paths["visitors"])]
    assert main([*check, "--json", "--timings"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)  # the report stays one JSON document
    (line,) = [x for x in err.splitlines() if x.startswith("timings: ")]
    for name in ("reading orders", "history baselines", "audiences", "total"):
        assert name in line
