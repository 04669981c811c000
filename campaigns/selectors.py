"""Segment selectors: a small, safe expression language over the customers frame.

    lifecycle = sleeping
    rfm in ["At Risk", "Can't Lose Them"]
    orders >= 2 and tier = "VIP"
    not (lifecycle = lost) or revenue > 500
    all

Selectors are parsed into a tree and compiled to Polars expressions; nothing is ever evaluated
as Python. Compiling checks every column and value against the frame and names the nearest
existing one when it is wrong.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl

from campaigns.errors import PlanError
from evaluation.phrases import Phrase

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>==|!=|<=|>=|=|<|>)
      | (?P<punct>[\[\](),])
      | (?P<word>[A-Za-z_\u4e00-\u9fff][\w\-\u4e00-\u9fff]*)
    )""",
    re.VERBOSE,
)
KEYWORDS = {"and", "or", "not", "in", "all"}
# Selectors are written by people; these bounds keep a pasted or generated monster from taking
# minutes or the interpreter's stack, and each is named when it is passed.
MAX_LENGTH = 20_000  # characters
MAX_COMPARISONS = 1_000
MAX_DEPTH = 100  # nested parentheses and nots


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


@dataclass(frozen=True)
class Compare:
    column: str
    op: str  # = != < <= > >= in
    values: tuple[str | float, ...]
    pos: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # and / or
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


@dataclass(frozen=True)
class Everyone:
    pass


Node = Compare | BoolOp | Not | Everyone


class SelectorError(PlanError):
    def __init__(self, problems: str, missing_column: str | None = None) -> None:
        super().__init__(problems)
        self.missing_column = missing_column


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise SelectorError(
            Phrase(
                "selector of {n:,} characters: at most {most:,}; split it over several targets "
                "or use `in [...]`",
                n=len(text),
                most=MAX_LENGTH,
            )
        )
    tokens, pos, end = [], 0, len(text.rstrip())
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            unexpected = text[pos:].strip()[:10]
            raise SelectorError(
                Phrase("selector {text!r}: unexpected {found!r}", text=text, found=unexpected)
            )
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        start = m.start(kind)
        if kind == "word" and value.lower() in KEYWORDS:
            kind, value = value.lower(), value.lower()
        tokens.append(Token(kind, value, start))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.comparisons = 0

    def error(self, what: Phrase) -> SelectorError:
        tok = self.peek()
        where = Phrase("at {token!r}", token=tok.text) if tok else Phrase("at the end")
        return SelectorError(
            Phrase("selector {text!r}: {what} {where}", text=self.text, what=what, where=where)
        )

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: str, text: str | None = None) -> Token:
        tok = self.peek()
        if tok is None or tok.kind != kind or (text is not None and tok.text != text):
            raise self.error(Phrase("expected {thing}", thing=text or kind))
        self.i += 1
        return tok

    def accept(self, kind: str, text: str | None = None) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == kind and (text is None or tok.text == text):
            self.i += 1
            return True
        return False

    def parse(self) -> Node:
        if not self.tokens:
            raise SelectorError(
                Phrase("selector is empty; write e.g. lifecycle = sleeping, or all")
            )
        node = self.or_expr()
        if self.peek() is not None:
            raise self.error(Phrase("expected and / or"))
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.accept("or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.accept("and"):
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def not_expr(self) -> Node:
        if self.accept("not"):
            with self.nested():
                return Not(self.not_expr())
        if self.accept("all"):
            return Everyone()
        if self.accept("punct", "("):
            with self.nested():
                node = self.or_expr()
            self.take("punct", ")")
            return node
        return self.comparison()

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(Phrase("nested more than {most} levels deep", most=MAX_DEPTH))
        yield
        self.depth -= 1

    def comparison(self) -> Node:
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise self.error(
                Phrase("more than {most:,} comparisons; use `in [...]`", most=MAX_COMPARISONS)
            )
        column = self.take("word")
        if self.accept("in"):
            self.take("punct", "[")
            values = [self.value()]
            while self.accept("punct", ","):
                values.append(self.value())
            self.take("punct", "]")
            return Compare(column.text, "in", tuple(values), column.pos)
        op = self.take("op").text
        return Compare(column.text, "=" if op == "==" else op, (self.value(),), column.pos)

    def value(self) -> str | float:
        tok = self.peek()
        if tok is None or tok.kind not in ("string", "number", "word"):
            raise self.error(Phrase("expected a value"))
        self.i += 1
        return float(tok.text) if tok.kind == "number" else tok.text


def parse(text: str) -> Node:
    return _Parser(text).parse()


def columns_of(node: Node) -> list[str]:
    """The columns a selector reads, in order of first mention."""
    if isinstance(node, Compare):
        return [node.column]
    if isinstance(node, Not):
        return columns_of(node.part)
    if isinstance(node, BoolOp):
        seen: list[str] = []
        for part in node.parts:
            seen += [c for c in columns_of(part) if c not in seen]
        return seen
    return []


def selector_columns(texts: Iterable[str]) -> set[str] | None:
    """The columns any of the selectors reads, or None when one does not parse (checking it
    names what is wrong)."""
    try:
        return {c for text in texts for c in columns_of(parse(text))}
    except SelectorError:
        return None


def compile_selector(text: str, customers: pl.DataFrame) -> pl.Expr:
    """A boolean Polars expression; raises SelectorError naming what does not exist."""
    return _Compiler(text, customers).compile(parse(text))


class _Compiler:
    def __init__(self, text: str, frame: pl.DataFrame) -> None:
        self.text, self.frame = text, frame
        self.known: dict[str, list[str]] = {}  # column -> its distinct values, read once

    def compile(self, node: Node) -> pl.Expr:
        if isinstance(node, Everyone):
            return pl.lit(True)
        if isinstance(node, Not):
            return ~self.compile(node.part)
        if isinstance(node, BoolOp):
            # one flat horizontal reduction: a chain of thousands of | nests as deep
            parts = [self.compile(p) for p in node.parts]
            return pl.all_horizontal(parts) if node.op == "and" else pl.any_horizontal(parts)
        return _comparison(node, self.text, self.frame, self.values_of)

    def values_of(self, column: str) -> list[str]:
        """The values a column can hold: an Enum's categories (a segment may be empty today and
        not tomorrow), else the distinct values it holds."""
        if column not in self.known:
            dtype = self.frame.schema[column]
            if isinstance(dtype, pl.Enum):
                self.known[column] = sorted(dtype.categories.to_list())
            else:
                values = self.frame[column].drop_nulls().unique().cast(pl.String)
                self.known[column] = values.sort().to_list()
        return self.known[column]


def _comparison(
    node: Compare, text: str, frame: pl.DataFrame, values_of: Callable[[str], list[str]]
) -> pl.Expr:
    if node.column not in frame.columns:
        raise SelectorError(
            Phrase(
                "selector {text!r}: no column {column!r}{nearest}; columns are {columns}",
                text=text,
                column=node.column,
                nearest=_nearest(node.column, frame.columns),
                columns=", ".join(frame.columns),
            ),
            missing_column=node.column,
        )
    dtype = frame.schema[node.column]
    col = pl.col(node.column)
    if dtype.is_numeric():
        if not all(isinstance(v, float) for v in node.values):
            raise SelectorError(
                Phrase(
                    "selector {text!r}: {column} is a number, got {values}",
                    text=text,
                    column=node.column,
                    values=node.values,
                )
            )
        values: Sequence[str | float] = node.values
    else:
        known = values_of(node.column)
        values = [_known_value(node.column, str(v), text, known) for v in node.values]
        if node.op in ("<", "<=", ">", ">="):
            raise SelectorError(
                Phrase(
                    "selector {text!r}: {column} is text; use = or in",
                    text=text,
                    column=node.column,
                )
            )
        if not isinstance(dtype, (pl.Enum, pl.Categorical)):
            col = col.cast(pl.String)
        # labels (the schemes' Enums) are compared as they are: casting three million of them
        # to text for each comparison took a hundred times as long as the comparison
    if node.op == "in":
        return col.is_in(list(values)).fill_null(False)
    value = values[0]
    ops = {
        "=": col == value,
        "!=": col != value,
        "<": col < value,
        "<=": col <= value,
        ">": col > value,
        ">=": col >= value,
    }
    return ops[node.op].fill_null(False)


def _known_value(column: str, value: str, text: str, known: list[str]) -> str:
    if value in known:
        return value
    folded = {k.casefold(): k for k in known}
    if value.casefold() in folded:
        return folded[value.casefold()]
    listed = ", ".join(repr(k) for k in known[:20]) + (" …" if len(known) > 20 else "")
    raise SelectorError(
        Phrase(
            "selector {text!r}: {column} has no value {value!r}{nearest}; it has {listed}",
            text=text,
            column=column,
            value=value,
            nearest=_nearest(value, known),
            listed=listed,
        )
    )


def _nearest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return Phrase(" (did you mean {word!r}?)", word=close[0]) if close else ""
