"""Cell values: what RAW and USER_ENTERED store, and how reads render them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from tests.fakegoogle import numberformat
from tests.fakegoogle.errors import CELL_CHARS, CELL_CHARS_MESSAGE, invalid
from tests.fakegoogle.formula import FormulaError

RAW = "RAW"
USER_ENTERED = "USER_ENTERED"
FORMATTED = "FORMATTED_VALUE"
UNFORMATTED = "UNFORMATTED_VALUE"
FORMULA = "FORMULA"
RENDER_OPTIONS = (FORMATTED, UNFORMATTED, FORMULA)

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PERCENT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)%$")
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_EPOCH = dt.datetime(1899, 12, 30)


@dataclass(frozen=True)
class Formula:
    """A stored formula; its text keeps the leading `=`."""

    text: str


Value = str | int | float | bool | Formula


def as_number(value: float) -> int | float:
    """Return an int for integral doubles, as Google's JSON writes `42` not `42.0`."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def check_length(value: Any) -> None:
    """Refuse text longer than a cell holds."""
    if isinstance(value, str) and len(value) > CELL_CHARS:
        raise invalid(CELL_CHARS_MESSAGE)


def parse_input(
    raw: Any, option: str, cell_format: dict[str, Any] | None
) -> tuple[Value | None, dict[str, Any] | None]:
    """Return (stored value or None to clear, number format Sheets would add).

    RAW keeps text as text; USER_ENTERED parses it as if typed into the UI.
    """
    check_length(raw)
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, int | float):
        return as_number(float(raw)) if isinstance(raw, float) else raw, None
    text = str(raw)
    if option == RAW:
        return text, None
    number_format = (cell_format or {}).get("numberFormat", {})
    # A cell formatted as plain text keeps what is typed, as in the Sheets UI.
    if number_format.get("type") == "TEXT":
        return text, None
    return _typed(text)


def _typed(text: str) -> tuple[Value, dict[str, Any] | None]:
    """Interpret `text` as Sheets does when a user types it (en_US rules)."""
    if text.startswith("'"):
        return text[1:], None
    if text.startswith("=") and len(text) > 1:
        return Formula(text), None
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE", None
    if _NUMBER.match(text):
        return as_number(float(text)), None
    if _GROUPED.match(text):
        pattern = "#,##0.00" if "." in text else "#,##0"
        return as_number(float(text.replace(",", ""))), _fmt("NUMBER", pattern)
    if _PERCENT.match(text):
        pattern = "0.00%" if "." in text else "0%"
        return as_number(float(text[:-1]) / 100), _fmt("PERCENT", pattern)
    serial = _date_serial(text)
    if serial is not None:
        return serial
    return text, None


def _fmt(kind: str, pattern: str) -> dict[str, Any]:
    """Return a numberFormat dict."""
    return {"numberFormat": {"type": kind, "pattern": pattern}}


def _date_serial(text: str) -> tuple[Value, dict[str, Any]] | None:
    """Return (serial, format) for `2020-01-01`, `2020-01-01 10:30` or `1/31/2020`."""
    iso = _ISO_DATE.match(text)
    us = _US_DATE.match(text)
    try:
        if iso:
            y, m, d, hh, mm, ss = (int(g) if g else 0 for g in iso.groups())
            moment = dt.datetime(y, m, d, hh, mm, ss)
            if iso.group(4):
                return _serial(moment), _fmt("DATE_TIME", "yyyy-mm-dd h:mm:ss")
            return _serial(moment), _fmt("DATE", "yyyy-mm-dd")
        if us:
            m, d, y = (int(g) for g in us.groups())
            return _serial(dt.datetime(y, m, d)), _fmt("DATE", "M/d/yyyy")
    except ValueError:
        return None
    return None


def _serial(moment: dt.datetime) -> int | float:
    """Return the spreadsheet serial number (days since 1899-12-30)."""
    return as_number((moment - _EPOCH).total_seconds() / 86400)


def from_extended(value: dict[str, Any]) -> Value | None:
    """Return the stored value of an ExtendedValue (`{"stringValue": ...}`)."""
    if "formulaValue" in value:
        return Formula(value["formulaValue"])
    for key in ("stringValue", "numberValue", "boolValue"):
        if key in value:
            return value[key]
    return None


def to_extended(value: Any) -> dict[str, Any]:
    """Return the ExtendedValue of a stored or evaluated value."""
    if isinstance(value, Formula):
        return {"formulaValue": value.text}
    if isinstance(value, FormulaError):
        return {"errorValue": {"type": "ERROR", "message": value.code}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": str(value)}


def render(
    stored: Value,
    result: Any,
    option: str,
    cell_format: dict[str, Any] | None,
    date_strings: bool = False,
) -> Any:
    """Return a cell as a read shows it; `result` is the formula's value."""
    if option == FORMULA and isinstance(stored, Formula):
        return stored.text
    value = result if isinstance(stored, Formula) else stored
    if isinstance(value, FormulaError):
        return value.code
    if option == FORMATTED:
        return formatted(value, cell_format)
    if date_strings and numberformat.is_date_format(cell_format):
        return formatted(value, cell_format)
    return value


def formatted(value: Any, cell_format: dict[str, Any] | None) -> str:
    """Return the formatted text of an evaluated value."""
    if isinstance(value, FormulaError):
        return value.code
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return numberformat.format_number(
            value, (cell_format or {}).get("numberFormat")
        )
    return "" if value is None else str(value)
