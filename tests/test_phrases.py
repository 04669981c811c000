"""The libraries' sentences: English wherever text is compared or written, worded by the shells."""

from __future__ import annotations

import pickle

import pytest

from crm_tui.language import say, use
from evaluation.phrases import Phrase, counted


@pytest.fixture
def chinese():
    use("zh")
    yield
    use("en")


def test_a_phrase_is_its_english_sentence() -> None:
    p = Phrase("negative {column}", column="revenue")
    assert p == "negative revenue" and {p: 1} == {"negative revenue": 1}
    assert say(p) == "negative revenue"
    assert str(counted("row {rows}", "rows {rows}", 1, rows="5")) == "row 5"
    assert str(counted("row {rows}", "rows {rows}", 2, rows="5, 6")) == "rows 5, 6"


def test_a_phrase_crosses_processes_with_its_template() -> None:
    reason = Phrase("negative {column}", column="cost")
    p = counted("{n:,} row dropped: {reason}", "{n:,} rows dropped: {reason}", 3, reason=reason)
    back = pickle.loads(pickle.dumps(p))
    assert back == p and (back.template, back.plural, back.values) == (
        p.template,
        p.plural,
        p.values,
    )


@pytest.mark.usefixtures("chinese")
def test_the_shell_words_the_template_and_the_phrases_within_it() -> None:
    reason = Phrase("opted out of {channel}", channel=Phrase("sms"))
    assert say(reason) == "已退订短信"
    assert reason == "opted out of sms"
    dropped = counted(
        "{n:,} row dropped: {reason} (e.g. {rows})",
        "{n:,} rows dropped: {reason} (e.g. {rows})",
        1200,
        reason=Phrase("negative {column}", column="revenue"),
        rows=counted("row {rows}", "rows {rows}", 2, rows="3, 9"),
    )
    assert say(dropped) == "1,200 行被剔除：revenue 为负（如第 3, 9 行）"
    # text no catalogue holds is shown as it is
    assert say("lifecycle = lost") == "lifecycle = lost"


@pytest.mark.usefixtures("chinese")
def test_the_plan_forms_problems_read_in_chinese() -> None:
    import polars as pl

    from campaigns.library import starter_plan
    from crm_tui.tui.panes.plan_form import TargetFields, edit_plan

    plan = starter_plan("churn_recall", "salt").plan
    customers = pl.DataFrame({"lifecycle": ["active", "lost"], "orders": [1, 2]})
    typed = TargetFields("t", "lifecycle = lots", "", "sms", "coupon", "5", "0", "x", "0", "5")
    edit = edit_plan(plan, "control=0.2, treatment=0.9", typed, 0, customers)
    assert edit.target_error == "触达次数：应为数字，得到 'x'"
    assert edit.arms_error == "arms：各组比例之和应为 1，得到 1.1"
    typed = TargetFields("t", "lifecycle = lots", "", "sms", "coupon", "5", "0", "1", "0", "5")
    edit = edit_plan(plan, "control=0.2, treatment=0.8", typed, 0, customers)
    assert edit.target_error == (
        "选择器 'lifecycle = lots'：lifecycle 没有取值 'lots'（是否想写 'lost'？）；"
        "它的取值有 'active', 'lost'"
    )


@pytest.mark.usefixtures("chinese")
def test_a_settings_error_reads_in_chinese_with_the_shells_hint() -> None:
    from campaigns import PlanError
    from campaigns.settings import SegmentationSettings
    from crm_tui.cli.wording import error_line

    with pytest.raises(PlanError) as caught:
        SegmentationSettings(tier_thresholds=(388.0, 188.0))
    assert error_line(caught.value).startswith(
        "tier_thresholds：应为递增的两个正金额（VIP，至尊VIP），得到 388, 188；"
    )


def test_file_errors_are_one_line_in_either_language(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    from crm_tui.cli.main import main

    missing = tmp_path / "nosuch.csv"
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    try:
        assert main(["--lang", "zh", "segment", str(missing)]) == 2
        assert capsys.readouterr().err == f"crm-tui: error: {missing}：文件不存在\n"
        assert main(["--lang", "zh", "segment", str(bad)]) == 2
        said = capsys.readouterr().err
        assert said.startswith(
            f"crm-tui: error: {bad}：缺少必需的列 customer_id, ordered_at, amount"
        )
    finally:
        use("en")
    assert main(["segment", str(missing)]) == 2
    assert capsys.readouterr().err == f"crm-tui: error: {missing}: no such file\n"


def test_a_broken_plan_names_its_file_once_in_either_language(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    from crm_tui.cli.main import main

    plan = tmp_path / "bad.toml"
    plan.write_text(
        'schema_version = 1\nname = "x"\nobjective = "churn"\nsalt = "s"\nalpah = 0.1\n'
        '[[targets]]\nname = "a"\nselector = "all"\n',
        encoding="utf-8",
    )
    try:
        assert main(["--lang", "zh", "plan", "check", str(plan)]) == 2
        said = capsys.readouterr().err
    finally:
        use("en")
    assert said == (
        f"crm-tui: error: {plan}：alpah：未知的键；是否想写 'alpha'？；objective：应为以下之一："
        "visitor_conversion, churn_recall, event_retention, custom，得到 'churn'\n"
    )
    assert main(["plan", "check", str(plan)]) == 2
    assert capsys.readouterr().err == (
        f"crm-tui: error: {plan}: alpah: unknown key; did you mean 'alpha'?; objective: expected "
        "one of visitor_conversion, churn_recall, event_retention, custom, got 'churn'\n"
    )
