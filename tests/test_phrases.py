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
