"""Pick the configured target: Google Sheets when set, else the workbook."""

from __future__ import annotations

from pathlib import Path

from service.settings import Settings
from service.targets.base import Target
from service.targets.workbook import WorkbookTarget


def make_target(settings: Settings, workbook: Path | None = None) -> Target:
    """Return the target the settings name, or a workbook at `workbook`."""
    if workbook is None and settings.spreadsheet:
        from service.targets.google import GoogleTarget

        return GoogleTarget.from_settings(settings)
    return WorkbookTarget(workbook or settings.workbook, settings.timezone)
