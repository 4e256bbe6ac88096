"""The schedules view's keys. Each tooltip is a line of the help screen and of the README's
key table (see keys.py)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

SCHEDULES_BINDINGS: list[BindingType] = [
    Binding("q", "app.quit", "Quit", show=False),
    Binding("question_mark", "help", "Help", key_display="?", show=False),
    Binding(
        "s,escape", "close", "Jobs", id="schedules.back", tooltip="schedules: back to the job list"
    ),
    Binding(
        "p",
        "suspend",
        "Suspend/resume",
        id="schedules.suspend",
        tooltip="schedules: suspend / resume the selected schedule",
    ),
    Binding(
        "r",
        "trigger",
        "Run now",
        id="schedules.run_now",
        tooltip="schedules: start a run now (the next scheduled run stays)",
    ),
    Binding(
        "e",
        "reschedule",
        "Reschedule",
        id="schedules.reschedule",
        tooltip="schedules: edit the cron, checked before it is sent",
    ),
    Binding(
        "d",
        "delete",
        "Delete",
        id="schedules.delete",
        tooltip="schedules: delete the selected schedule, after a confirmation",
    ),
    Binding("L", "labels", "Labels", id="schedules.labels", tooltip="schedules: edit its labels"),
    Binding(
        "enter",
        "runs",
        "Past runs",
        id="schedules.runs",
        tooltip="schedules: its past runs (enter on a run: that job in the job list)",
    ),
    Binding(
        "R,ctrl+r",
        "refresh",
        "Refresh",
        key_display="R",
        id="schedules.refresh",
        show=False,
        tooltip="schedules: read them again now",
    ),
]
