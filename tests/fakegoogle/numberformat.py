"""Number formats: render numbers as FORMATTED_VALUE shows them (en_US).

Covers the automatic format, `#,##0.00`-style patterns with literal text,
percentages and date/time patterns; anything fancier falls back to automatic.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

_EPOCH = dt.datetime(1899, 12, 30)
_DEFAULT_PATTERNS = {
    "NUMBER": "#,##0.00",
    "PERCENT": "0.00%",
    "CURRENCY": '"$"#,##0.00',
    "DATE": "M/d/yyyy",
    "TIME": "h:mm:ss am/pm",
    "DATE_TIME": "M/d/yyyy H:mm:ss",
}
_DATE_TYPES = ("DATE", "TIME", "DATE_TIME")
_DATE_TOKEN = re.compile(
    r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p", re.IGNORECASE
)
_NUMBER_RUN = re.compile(r"[#0?,]*\.?[#0?]*")


def is_date_format(cell_format: dict[str, Any] | None) -> bool:
    """Return whether the cell's number format shows dates or times."""
    number_format = (cell_format or {}).get("numberFormat") or {}
    return number_format.get("type") in _DATE_TYPES


def format_number(value: int | float, number_format: dict[str, Any] | None) -> str:
    """Return `value` formatted by a numberFormat dict (None: automatic)."""
    number_format = number_format or {}
    kind = number_format.get("type", "")
    pattern = number_format.get("pattern") or _DEFAULT_PATTERNS.get(kind, "")
    if kind == "TEXT" or not pattern:
        return automatic(value)
    sections = pattern.split(";")
    if value < 0 and len(sections) > 1:
        return _apply(abs(value), sections[1], kind)
    if value == 0 and len(sections) > 2:
        return _apply(value, sections[2], kind)
    return _apply(value, sections[0], kind)


def automatic(value: int | float) -> str:
    """Return the automatic rendering: integers plainly, else 10 significant digits."""
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    text = f"{value:.10g}"
    return text.upper()


def _apply(value: int | float, section: str, kind: str) -> str:
    """Format with one pattern section."""
    if kind in _DATE_TYPES or _looks_like_date(section):
        return _format_date(value, section)
    prefix, run, suffix = _split_literals(section)
    if not run:
        return automatic(value)
    if "%" in prefix + suffix:
        value = value * 100
    body = _format_run(abs(value), run)
    sign = "-" if value < 0 and body.strip("0.,") else ""
    return f"{sign}{prefix}{body}{suffix}"


def _looks_like_date(section: str) -> bool:
    """Return whether a pattern has date tokens and no digit placeholders."""
    bare = re.sub(r'"[^"]*"|\\.', "", section)
    return bool(_DATE_TOKEN.search(bare)) and not re.search(r"[#0?]", bare)


def _split_literals(section: str) -> tuple[str, str, str]:
    """Return (text before, digit placeholders, text after) of a section."""
    before: list[str] = []
    after: list[str] = []
    run = ""
    i = 0
    while i < len(section):
        char = section[i]
        target = after if run else before
        if char == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            target.append(section[i + 1 : end])
            i = end + 1
        elif char == "\\" and i + 1 < len(section):
            target.append(section[i + 1])
            i += 2
        elif char == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            token = section[i + 1 : end]
            if token.startswith("$"):
                target.append(token[1:].split("-")[0])
            i = end + 1
        elif char in "_*":
            target.append(" " if char == "_" else "")
            i += 2
        elif char in "#0?" and not run:
            match = _NUMBER_RUN.match(section, i)
            run = match.group(0) if match else char
            i += len(run)
        else:
            target.append(char)
            i += 1
    return "".join(before), run, "".join(after)


def _format_run(value: float, run: str) -> str:
    """Format a non-negative number with placeholders like `#,##0.00`."""
    whole, _, frac = run.partition(".")
    max_places = sum(1 for c in frac if c in "#0?")
    min_places = frac.count("0")
    quantum = Decimal(1).scaleb(-max_places)
    number = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    digits = f"{number:.{max_places}f}"
    int_part, _, frac_part = digits.partition(".")
    while len(frac_part) > min_places and frac_part.endswith("0"):
        frac_part = frac_part[:-1]
    min_int = whole.count("0")
    int_part = int_part.lstrip("0").rjust(min_int, "0")
    if "," in whole and int_part:
        int_part = f"{int(int_part):,}"
    return int_part + ("." + frac_part if frac_part else "")


def _format_date(value: int | float, section: str) -> str:
    """Render a serial number with a date/time pattern."""
    try:
        moment = _EPOCH + dt.timedelta(days=float(value))
    except OverflowError:
        return automatic(value)
    moment = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    tokens = _DATE_TOKEN.findall(section)
    has_ampm = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    last = ""
    pos = 0
    for match in _DATE_TOKEN.finditer(section):
        out.append(section[pos : match.start()].replace('"', "").replace("\\", ""))
        token = match.group(0)
        rest = section[match.end() :].lstrip(":").lower()
        minutes = token.lower() in ("m", "mm") and (
            last in ("h", "hh") or rest.startswith("s")
        )
        out.append(_date_part(token, moment, minutes, has_ampm))
        last = token.lower()
        pos = match.end()
    out.append(section[pos:].replace('"', "").replace("\\", ""))
    return "".join(out)


def _date_part(token: str, moment: dt.datetime, minutes: bool, ampm: bool) -> str:
    """Return the text of one date/time token."""
    lower = token.lower()
    hour = moment.hour % 12 or 12 if ampm else moment.hour
    parts = {
        "yyyy": f"{moment.year:04d}",
        "yy": f"{moment.year % 100:02d}",
        "mmmm": moment.strftime("%B"),
        "mmm": moment.strftime("%b"),
        "mm": f"{moment.minute:02d}" if minutes else f"{moment.month:02d}",
        "m": str(moment.minute) if minutes else str(moment.month),
        "dddd": moment.strftime("%A"),
        "ddd": moment.strftime("%a"),
        "dd": f"{moment.day:02d}",
        "d": str(moment.day),
        "hh": f"{hour:02d}",
        "h": str(hour),
        "ss": f"{moment.second:02d}",
        "s": str(moment.second),
        "am/pm": "AM" if moment.hour < 12 else "PM",
        "a/p": "A" if moment.hour < 12 else "P",
    }
    return parts[lower]
