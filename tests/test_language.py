"""The language: the catalogue covers every message in the code, the compiled catalogue is the
one shipped beside it, the setting is chosen as documented, and machine output does not move."""

from __future__ import annotations

import gettext
import json
import math
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from crm_tui.cli.main import main
from crm_tui.errors import InputError
from crm_tui.language import DOMAIN, ENVIRONMENT, LANGUAGES, LOCALES, choose, use
from crm_tui.reports.text import cells, pad

ROOT = Path(__file__).resolve().parents[1]
# the libraries' sentences are Phrases, worded by the shells: their templates are catalogued too
SOURCES = ("crm_tui", "campaigns", "evaluation")
SAMPLE = ROOT / "sample_data"
KEYWORDS = {**DEFAULT_KEYWORDS, "Phrase": None, "counted": (1, 2)}
PO = LOCALES / "zh" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")


def extracted() -> dict[str, bool]:
    """Every message the code marks, as `pybabel extract` finds them: the singular, and whether
    it has a plural (a plural the catalogue holds as a singular is never found at run time)."""
    found = {}
    for source in SOURCES:
        for _f, _l, message, _c, _x in extract_from_dir(str(ROOT / source), keywords=KEYWORDS):
            plural = isinstance(message, tuple)
            found[message[0] if plural else message] = plural
    return found


def catalogue() -> dict[str, list[str]]:
    with PO.open("rb") as f:
        po = read_po(f)
    out = {}
    for m in po:
        if not m.id:
            continue
        key = m.id[0] if isinstance(m.id, tuple) else m.id
        assert "fuzzy" not in m.flags, key
        out[key] = list(m.string) if isinstance(m.string, tuple) else [m.string]
    return out


def plurals() -> set[str]:
    with PO.open("rb") as f:
        return {m.id[0] for m in read_po(f) if isinstance(m.id, tuple)}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_marked_message_has_a_chinese_translation() -> None:
    zh = catalogue()
    marked = extracted()
    missing = sorted(marked.keys() - zh.keys())
    assert missing == [], "run pybabel extract/update (see README) and translate: " + str(missing)
    assert {m for m, plural in marked.items() if plural} == plurals()
    assert [key for key, texts in zh.items() if not all(texts)] == []


def test_translations_keep_every_placeholder() -> None:
    """A translation that drops or renames {n:,} would raise KeyError on screen."""
    for key, texts in catalogue().items():
        for text in texts:
            assert fields(text) <= fields(key) | {"count"}, (key, text)
            assert fields(key) - {"count"} <= fields(text), (key, text)


def test_the_compiled_catalogue_is_the_translations() -> None:
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for key, texts in catalogue().items():
        assert compiled.gettext(key) == texts[0]


@pytest.mark.parametrize(
    ("given_lang", "environ", "expected"),
    [
        ("zh", {ENVIRONMENT: "en", "LANG": "en_US.UTF-8"}, "zh"),
        (None, {ENVIRONMENT: "zh", "LANG": "en_US.UTF-8"}, "zh"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LANGUAGE": "zh_TW:en", "LANG": "en_US.UTF-8"}, "zh"),
        (None, {"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {}, "en"),
    ],
)
def test_the_setting_then_the_environment_then_the_locale(
    given_lang: str | None, environ: dict[str, str], expected: str
) -> None:
    assert choose(given_lang, environ) == expected


@given(st.text(max_size=8).filter(lambda v: v and v not in LANGUAGES))
def test_an_unknown_language_is_named(value: str) -> None:
    with pytest.raises(InputError, match=re.escape(repr(value))):
        choose(None, {ENVIRONMENT: value})


@given(st.text(alphabet="ab活跃期会员\u0301 ", max_size=12), st.integers(0, 20))
def test_padding_counts_terminal_cells(text: str, width: int) -> None:
    padded = pad(text, width)
    assert padded.startswith(text)
    assert cells(padded) == max(width, cells(text))
    assert cells(pad(text, width, ">")) == max(width, cells(text))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_readable_output_in_chinese_stays_aligned(
    capsys: pytest.CaptureFixture[str], sample_dir: Path
) -> None:
    try:
        text = run(capsys, "--lang", "zh", "segment", str(sample_dir / "orders.csv"))
    finally:
        use("en")
    assert "活跃期" in text and "流失期" in text and "建议策略" in text
    table = text[text.index("生命周期\n") :].splitlines()[1:6]
    assert table[0].split()[0] == "分群" and table[1].split()[0] == "活跃期"
    # the strategy column starts at the same terminal cell on the header and on every row
    starts = {cells(line.rsplit("  ", 1)[0]) for line in table}
    assert len(starts) == 1, table


def test_machine_output_is_the_same_in_either_language(
    capsys: pytest.CaptureFixture[str], sample_dir: Path, tmp_path: Path
) -> None:
    orders = str(sample_dir / "orders.csv")
    results = [str(SAMPLE / "results.csv"), "--assignment", str(SAMPLE / "assignment.csv")]
    outputs: dict[str, list[object]] = {lang: [] for lang in LANGUAGES}
    try:
        for lang in LANGUAGES:
            for command in (["segment", orders], ["evaluate", *results]):
                printed = run(capsys, "--lang", lang, *command, "--json")
                outputs[lang].append(json.loads(printed))
            plan = tmp_path / f"{lang}.toml"
            args = ["plan", "init", "--objective", "churn_recall", "--salt", "s1"]
            run(capsys, "--lang", lang, *args, "--orders", orders, "--out", str(plan))
            check = ["plan", "check", str(plan), "--orders", orders, "--json"]
            outputs[lang].append(json.loads(run(capsys, "--lang", lang, *check)))
    finally:
        use("en")
    # sums of many floats differ in their last bits between any two runs: equal to 1e-9
    assert_same(outputs["zh"], outputs["en"])
    assert (tmp_path / "zh.toml").read_bytes() == (tmp_path / "en.toml").read_bytes()
    # the notes and warnings the libraries make are there, in English
    evaluated, checked = outputs["en"][1], outputs["en"][2]
    assert any(n.startswith("Intent-to-treat over") for n in evaluated["notes"])
    assert checked["warnings"]


def test_the_libraries_sentences_are_read_in_chinese(
    capsys: pytest.CaptureFixture[str], sample_dir: Path, tmp_path: Path
) -> None:
    results = [str(SAMPLE / "results.csv"), "--assignment", str(SAMPLE / "assignment.csv")]
    orders, plan = str(sample_dir / "orders.csv"), str(tmp_path / "plan.toml")
    run(capsys, "plan", "init", "--objective", "churn_recall", "--orders", orders, "--out", plan)
    warnings = json.loads(run(capsys, "plan", "check", plan, "--orders", orders, "--json"))
    try:
        evaluated = run(capsys, "--lang", "zh", "evaluate", *results)
        checked = run(capsys, "--lang", "zh", "plan", "check", plan, "--orders", orders)
    finally:
        use("en")
    assert "按意向处理分析" in evaluated and "Welch t 检验（偏度校正）" in evaluated
    assert "Intent-to-treat" not in evaluated and "skew-corrected" not in evaluated
    assert warnings["warnings"]
    for warning in warnings["warnings"]:
        assert warning not in checked


def assert_same(a: object, b: object, at: str = "") -> None:
    if isinstance(a, float) and isinstance(b, float):
        both_nan = math.isnan(a) and math.isnan(b)
        assert both_nan or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), at
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), at
        for key in a:
            assert_same(a[key], b[key], f"{at}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), at
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{at}[{i}]")
    else:
        assert a == b, at


def test_a_plan_written_in_chinese_reads_in_english(
    capsys: pytest.CaptureFixture[str], sample_dir: Path, tmp_path: Path
) -> None:
    orders, plan = str(sample_dir / "orders.csv"), str(tmp_path / "plan.toml")
    try:
        run(capsys, "--lang", "zh", "plan", "init", "--objective", "custom", "--orders", orders,
            "--out", plan)  # fmt: skip
    finally:
        use("en")
    checked = json.loads(run(capsys, "plan", "check", plan, "--orders", orders, "--json"))
    assert checked["targets"]


def test_empty_text_stays_empty_in_chinese() -> None:
    from crm_tui.language import _

    use("zh")
    try:
        assert _("") == "" and _("active") == "活跃期" and _("no such message") == "no such message"
    finally:
        use("en")


def test_every_phrase_template_is_a_literal_the_catalogue_can_find() -> None:
    """A template kept in a variable is missed by extraction and stays English; a Phrase of a
    bare name (a channel, a metric, a field label) words a text catalogued where it is marked."""
    import ast

    hidden = []
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                    continue
                literal = [a for a in node.args if isinstance(a, ast.Constant)]
                if node.func.id == "Phrase" and node.keywords and not literal:
                    hidden.append(f"{path.name}:{node.lineno}")
                if node.func.id == "counted" and len(literal) < 2:
                    hidden.append(f"{path.name}:{node.lineno}")
    assert hidden == []


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["tui"],
        ["segment"],
        ["sample"],
        ["plan"],
        ["plan", "init"],
        ["plan", "check"],
        ["plan", "assign"],
        ["evaluate"],
        ["predict"],
    ],
)
def test_help_is_in_the_language_in_use(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    helps = {}
    try:
        for lang in LANGUAGES:
            with pytest.raises(SystemExit) as done:
                main(["--lang", lang, *command, "--help"])
            assert done.value.code == 0
            helps[lang] = capsys.readouterr().out
    finally:
        use("en")
    assert helps["en"].startswith("usage: crm-tui") and "show this help message" in helps["en"]
    assert helps["zh"].startswith("用法：crm-tui") and "显示本帮助并退出" in helps["zh"]
    assert "options" not in helps["zh"] and "default" not in helps["zh"]
    # wrapped by terminal cells: Chinese help fits an 80-column terminal
    assert max(cells(line) for line in helps["zh"].splitlines()) <= 80


words = st.text(alphabet="abcdefghij", min_size=1, max_size=12)


@given(st.lists(words, max_size=30).map(" ".join), st.integers(12, 60))
def test_wrapping_english_is_textwraps(text: str, width: int) -> None:
    import textwrap

    from crm_tui.reports.text import wrap

    assert wrap(text, width) == textwrap.wrap(text, width)


@given(st.text(alphabet="ab 活跃期会员，。", max_size=80), st.integers(6, 40))
def test_wrapping_chinese_keeps_every_character_within_the_width(text: str, width: int) -> None:
    from crm_tui.reports.text import wrap

    lines = wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # a line wider than the width is one word that had no place to break
    assert all(cells(line) <= width or " " not in line.strip() for line in lines)
