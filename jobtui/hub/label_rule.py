"""The Hub's rule for a label's key and value: letters, digits, '-' and '_' only (a dot is
refused: `Qwen3-0.6B`), at most 100 characters (the official client's `update_job_labels`).
Jobs and scheduled jobs, the label editor and the new-job form all check it before sending."""

from __future__ import annotations

import re

LABEL_MAX = 100
LABEL_CHARS = re.compile(r"[A-Za-z0-9_-]*")


def label_text_ok(text: str) -> bool:
    """Whether the Hub takes `text` as a label's key or value (a key must not be empty)."""
    return len(text) <= LABEL_MAX and LABEL_CHARS.fullmatch(text) is not None
