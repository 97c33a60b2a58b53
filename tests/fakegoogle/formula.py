"""A small formula evaluator: arithmetic, text, comparisons, cell refs, a few
functions. Enough to render `=4/2` or `=SUM(B2:B9)` the way Sheets would."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from tests.fakegoogle import a1


@dataclass(frozen=True)
class FormulaError:
    """An error value such as `#DIV/0!`, shown as its code."""

    code: str

    def __str__(self) -> str:
        return self.code


class Cells(Protocol):
    """What the evaluator needs from the spreadsheet."""

    def value(self, title: str | None, row: int, col: int) -> Any:
        """Return the evaluated value of a cell, None when empty."""

    def size(self, title: str | None) -> tuple[int, int] | None:
        """Return (rows, cols) of the sheet, None if there is no such sheet."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    | (?P<str>"(?:[^"]|"")*")
    | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?
              \$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d*)?
              |(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3})
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<op><=|>=|<>|[-+*/^&=<>%(),:])
    )""",
    re.VERBOSE,
)


class _Ranged(list):
    """The cells of a range reference, flattened, as a function argument."""


class _ParseError(Exception):
    """The formula text is not something this evaluator understands."""


def evaluate(text: str, cells: Cells) -> Any:
    """Evaluate `=...` text; return a number, text, bool or FormulaError."""
    try:
        tokens = _tokenize(text[1:])
        parser = _Parser(tokens, cells)
        result = parser.expression()
        if parser.pos != len(tokens):
            raise _ParseError(text)
    except _ParseError:
        return FormulaError("#ERROR!")
    except RecursionError:
        return FormulaError("#REF!")
    if isinstance(result, _Ranged):
        result = result[0] if result else None
    return "" if result is None else result


def _tokenize(text: str) -> list[tuple[str, str]]:
    """Split formula text into (kind, text) tokens."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _ParseError(text)
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive descent over tokens, evaluating as it goes."""

    def __init__(self, tokens: list[tuple[str, str]], cells: Cells) -> None:
        self.tokens = tokens
        self.pos = 0
        self.cells = cells

    def peek(self) -> str:
        """Return the next operator text, or '' if the next token is no operator."""
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "op":
            return self.tokens[self.pos][1]
        return ""

    def take(self) -> tuple[str, str]:
        """Consume and return the next token."""
        if self.pos >= len(self.tokens):
            raise _ParseError("unexpected end")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def expression(self) -> Any:
        """Parse comparisons, the loosest binding level."""
        left = self.concat()
        while self.peek() in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            left = _compare(op, left, self.concat())
        return left

    def concat(self) -> Any:
        """Parse `&` text joins."""
        left = self.additive()
        while self.peek() == "&":
            self.take()
            right = self.additive()
            left = _first_error(left, right) or _text(left) + _text(right)
        return left

    def additive(self) -> Any:
        """Parse `+` and `-`."""
        left = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            left = _arith(op, left, self.term())
        return left

    def term(self) -> Any:
        """Parse `*` and `/`."""
        left = self.power()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            left = _arith(op, left, self.power())
        return left

    def power(self) -> Any:
        """Parse `^`."""
        left = self.unary()
        while self.peek() == "^":
            self.take()
            left = _arith("^", left, self.unary())
        return left

    def unary(self) -> Any:
        """Parse prefix signs and the postfix percent."""
        if self.peek() in ("-", "+"):
            op = self.take()[1]
            value = self.unary()
            return _arith("-", 0, value) if op == "-" else _arith("+", 0, value)
        value = self.primary()
        while self.peek() == "%":
            self.take()
            value = _arith("/", value, 100)
        return value

    def primary(self) -> Any:
        """Parse a literal, a reference, a call or a parenthesised expression."""
        kind, text = self.take()
        if kind == "num":
            return _number(float(text))
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self.reference(text)
        if kind == "name":
            if self.peek() == "(":
                return self.call(text.upper())
            if text.upper() in ("TRUE", "FALSE"):
                return text.upper() == "TRUE"
            return FormulaError("#NAME?")
        if text == "(":
            value = self.expression()
            if self.take() != ("op", ")"):
                raise _ParseError("missing )")
            return value
        raise _ParseError(text)

    def call(self, name: str) -> Any:
        """Parse the arguments of `name(...)` and apply the function."""
        self.take()
        args: list[Any] = []
        if self.peek() != ")":
            args.append(self.expression())
            while self.peek() == ",":
                self.take()
                args.append(self.expression())
        if self.take() != ("op", ")"):
            raise _ParseError("missing )")
        function = FUNCTIONS.get(name)
        if function is None:
            return FormulaError("#NAME?")
        try:
            return function(args)
        except (TypeError, ValueError, IndexError):
            return FormulaError("#VALUE!")

    def reference(self, text: str) -> Any:
        """Return a cell's value, or a _Ranged list for `A1:B2` and `A:B`."""
        title: str | None = None
        if "!" in text:
            sheet, _, text = text.rpartition("!")
            title = sheet[1:-1].replace("''", "'") if sheet[0] == "'" else sheet
        size = self.cells.size(title)
        span = a1.parse_span(text.replace("$", ""))
        if size is None or span is None:
            return FormulaError("#REF!")
        grid = span.bound(size[0], size[1], 0)
        if span.single:
            return self.cells.value(title, grid.start_row, grid.start_col)
        values = _Ranged()
        for row in range(grid.start_row, min(grid.end_row, size[0])):
            for col in range(grid.start_col, min(grid.end_col, size[1])):
                values.append(self.cells.value(title, row, col))
        return values


def _number(value: float) -> int | float:
    """Return ints for integral floats, so `=4/2` renders as 2."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _first_error(*values: Any) -> FormulaError | None:
    """Return the first error among values; errors propagate through formulas."""
    for value in values:
        if isinstance(value, FormulaError):
            return value
    return None


def _to_number(value: Any) -> float:
    """Coerce a scalar for arithmetic as Sheets does; text that is no number fails."""
    if isinstance(value, _Ranged):
        value = value[0] if value else None
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return float(str(value).replace(",", ""))


def _text(value: Any) -> str:
    """Coerce a scalar to text as `&` does."""
    if isinstance(value, _Ranged):
        value = value[0] if value else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(value, ".15g")
    return str(value)


def _arith(op: str, left: Any, right: Any) -> Any:
    """Apply an arithmetic operator, propagating errors."""
    error = _first_error(left, right)
    if error:
        return error
    try:
        a, b = _to_number(left), _to_number(right)
    except ValueError:
        return FormulaError("#VALUE!")
    if op == "/" and b == 0:
        return FormulaError("#DIV/0!")
    try:
        result = {"+": a + b, "-": a - b, "*": a * b}.get(op)
        if op == "/":
            result = a / b
        elif op == "^":
            result = a**b
    except (OverflowError, ZeroDivisionError):
        return FormulaError("#NUM!")
    if isinstance(result, complex) or not math.isfinite(result):
        return FormulaError("#NUM!")
    return _number(result)


def _compare(op: str, left: Any, right: Any) -> Any:
    """Compare two scalars; text compares case-insensitively as in Sheets."""
    error = _first_error(left, right)
    if error:
        return error
    a, b = (v.lower() if isinstance(v, str) else v for v in (left, right))
    if type(a) is not type(b) and not all(isinstance(v, int | float) for v in (a, b)):
        a, b = str(a), str(b)
    operations: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda x, y: x == y,
        "<>": lambda x, y: x != y,
        "<": lambda x, y: x < y,
        ">": lambda x, y: x > y,
        "<=": lambda x, y: x <= y,
        ">=": lambda x, y: x >= y,
    }
    return operations[op](a, b)


def _flat(args: list[Any]) -> list[Any]:
    """Flatten range arguments into one list of values."""
    out: list[Any] = []
    for arg in args:
        out.extend(arg if isinstance(arg, _Ranged) else [arg])
    return out


def _numbers(args: list[Any]) -> list[float]:
    """Return the numeric values among args, skipping text and blanks."""
    values = _flat(args)
    error = _first_error(*values)
    if error:
        raise ValueError(error.code)
    return [
        float(v)
        for v in values
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]


def _round(args: list[Any]) -> Any:
    """ROUND(value, places) with half away from zero, as spreadsheets round."""
    value = _to_number(args[0])
    places = int(_to_number(args[1])) if len(args) > 1 else 0
    scale = 10**places
    return _number(
        math.floor(abs(value) * scale + 0.5) / scale * math.copysign(1, value)
    )


FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "SUM": lambda args: _number(sum(_numbers(args))),
    "MIN": lambda args: _number(min(_numbers(args), default=0.0)),
    "MAX": lambda args: _number(max(_numbers(args), default=0.0)),
    "COUNT": lambda args: len(_numbers(args)),
    "COUNTA": lambda args: sum(1 for v in _flat(args) if v not in (None, "")),
    "AVERAGE": lambda args: _number(sum(_numbers(args)) / len(_numbers(args))),
    "ABS": lambda args: _number(abs(_to_number(args[0]))),
    "ROUND": _round,
    "LEN": lambda args: len(_text(args[0])),
    "UPPER": lambda args: _text(args[0]).upper(),
    "LOWER": lambda args: _text(args[0]).lower(),
    "TRIM": lambda args: " ".join(_text(args[0]).split()),
    "CONCATENATE": lambda args: "".join(_text(v) for v in _flat(args)),
    "CONCAT": lambda args: _text(args[0]) + _text(args[1]),
    "IF": lambda args: args[1] if _to_number(args[0]) else (args + [False])[2],
    "HYPERLINK": lambda args: _text(args[-1]),
}
