"""Field masks: `a.b(c,d)` or `a/b`, used to pick updated fields and to trim
responses to the fields a caller asked for."""

from __future__ import annotations

import copy
from typing import Any

Path = tuple[str, ...]


class MaskSyntaxError(ValueError):
    """The mask is not well formed."""


def parse(mask: str) -> list[Path]:
    """Return the paths of a mask: `a(b,c.d),e/f` -> (a,b) (a,c,d) (e,f)."""
    paths, pos = _parse_list(mask.replace(" ", ""), 0, ())
    if pos != len(mask.replace(" ", "")):
        raise MaskSyntaxError(mask)
    return paths


def _parse_list(text: str, pos: int, prefix: Path) -> tuple[list[Path], int]:
    """Parse comma-separated entries until `)` or the end."""
    paths: list[Path] = []
    while pos < len(text):
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        name = text[start:pos]
        parts = tuple(p for p in name.replace("/", ".").split(".") if p)
        if pos < len(text) and text[pos] == "(":
            inner, pos = _parse_list(text, pos + 1, prefix + parts)
            if pos >= len(text) or text[pos] != ")":
                raise MaskSyntaxError(text)
            pos += 1
            paths.extend(inner)
        elif parts:
            paths.append(prefix + parts)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        break
    return paths, pos


def apply(target: dict[str, Any], source: dict[str, Any], paths: list[Path]) -> None:
    """Copy each masked path from source to target; absent in source clears it."""
    for path in paths:
        if path == ("*",):
            target.clear()
            target.update(copy.deepcopy(source))
            continue
        found, value = _get(source, path)
        parent = target
        for key in path[:-1]:
            child = parent.get(key)
            if not isinstance(child, dict):
                if not found:
                    break
                child = parent[key] = {}
            parent = child
        else:
            if found:
                parent[path[-1]] = copy.deepcopy(value)
            else:
                parent.pop(path[-1], None)


def _get(source: Any, path: Path) -> tuple[bool, Any]:
    """Return (found, value) at path."""
    for key in path:
        if not isinstance(source, dict) or key not in source:
            return False, None
        source = source[key]
    return True, source


def select(value: Any, paths: list[Path]) -> Any:
    """Return only the masked parts of a response; lists apply per element."""
    if not paths or any(not path or path == ("*",) for path in paths):
        return value
    if isinstance(value, list):
        # Empty items stay: rowData and values are positional.
        return [select(item, paths) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key in value:
        below = [path[1:] for path in paths if path[0] == key]
        if not below:
            continue
        picked = select(value[key], below)
        if picked is not None and picked != {}:
            out[key] = picked
    return out


def covers(paths: list[Path], wanted: Path) -> bool:
    """Return whether the mask asks for `wanted` or anything below it."""
    for path in paths:
        if path == ("*",):
            return True
        common = min(len(path), len(wanted))
        if path[:common] == wanted[:common]:
            return True
    return False
