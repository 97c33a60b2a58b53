"""The Status tab: whether the sheet is current, in words staff can read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from projections.events import parse_time
from service.targets.base import AUTO, Sheet

STATUS_ID = "status"
TITLES = {"en": "Status", "vi": "Trạng thái"}
HEADERS = {"en": ["Item", "Value"], "vi": ["Mục", "Giá trị"]}
LABELS = {
    "received": ("Last event received", "Sự kiện mới nhất nhận lúc"),
    "written": ("Last successful write", "Lần ghi thành công gần nhất"),
    "waiting": ("Events waiting", "Sự kiện đang chờ ghi"),
    "rejected": ("Rejected bodies", "Nội dung bị từ chối"),
    "error": ("Last error", "Lỗi gần nhất"),
    "error_at": ("Last error at", "Lỗi gần nhất lúc"),
}
NO_ERROR = ("None", "Không có")
NO_EVENT = ("No event yet", "Chưa có sự kiện")
# Row of the write time: it changes on every write, so it alone never
# makes a write worth sending.
WRITTEN_ROW = 1
# Value cells that hold a time whenever they hold anything.
TIME_CELLS = ((0, 1), (1, 1), (5, 1))


@dataclass(frozen=True)
class StatusFacts:
    """What the Status tab reports, gathered by the sync loop."""

    last_received_at: str | None
    written_at: str
    waiting: int
    rejected: int
    error: str | None
    error_at: str | None


def _word(language: str, pair: tuple[str, str]) -> str:
    return pair[0] if language == "en" else pair[1]


def status_sheet(facts: StatusFacts, language: str) -> Sheet:
    """Build the Status tab: one label and one value per row."""
    # Stays text until the first event, then becomes a time.
    received: datetime | str = _word(language, NO_EVENT)
    if facts.last_received_at:
        received = parse_time(facts.last_received_at)
    error = facts.error or _word(language, NO_ERROR)
    error_at = parse_time(facts.error_at) if facts.error and facts.error_at else None
    values = {
        "received": received,
        "written": parse_time(facts.written_at),
        "waiting": facts.waiting,
        "rejected": facts.rejected,
        "error": error,
        "error_at": error_at,
    }
    rows = [[_word(language, LABELS[key]), value] for key, value in values.items()]
    headers = HEADERS[language]
    shape = f"{STATUS_ID}|{language}|{'|'.join(headers)}".encode()
    return Sheet(
        id=STATUS_ID,
        title=TITLES[language],
        headers=list(headers),
        types=["text", AUTO],
        fingerprint=hashlib.sha256(shape).hexdigest()[:16],
        rows=rows,
        time_cells=TIME_CELLS,
    )
