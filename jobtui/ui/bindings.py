"""The main screen's keys. Each tooltip is also a line of the help screen and of the README's
key table (see keys.py), so the three never drift apart."""

from __future__ import annotations

from textual.binding import Binding, BindingType

MAIN_SCREEN_BINDINGS: list[BindingType] = [
    Binding("q", "app.quit", "Quit", tooltip="quit"),
    Binding("question_mark", "help", "Help", key_display="?", tooltip="this help"),
    Binding(
        "tab",
        "app.focus_next",
        "Next pane",
        show=False,
        tooltip="next pane: jobs, log, details",
    ),
    Binding(
        "shift+tab",
        "app.focus_previous",
        "Previous pane",
        show=False,
        tooltip="previous pane",
    ),
    Binding(
        "slash",
        "filter",
        "Filter",
        key_display="/",
        tooltip="filter by id, name, image, command, flavor or stage; "
        "enter selects the first match",
    ),
    Binding("escape", "clear_filter", "Clear filter", show=False, tooltip="clear the filter"),
    Binding("a", "toggle_live", "All/live", tooltip="all jobs / only live ones"),
    Binding(
        "i",
        "toggle_detail",
        "Details",
        tooltip="details instead of the log (narrow terminals)",
    ),
    Binding(
        "c",
        "cancel",
        "Cancel job",
        tooltip="cancel the selected job, or every marked live job, after a confirmation",
    ),
    Binding(
        "r",
        "rerun",
        "Rerun",
        tooltip="rerun: preview what will be sent, edit flavor and environment, settle secrets",
    ),
    Binding(
        "space",
        "mark",
        "Mark",
        show=False,
        tooltip="mark / unmark a live job for cancel, and move down",
    ),
    Binding("M", "clear_marks", "Clear marks", show=False, tooltip="clear every mark"),
    Binding(
        "n",
        "next_namespace",
        "Namespace",
        show=False,
        tooltip="switch namespace: each watched user or org, then all of them",
    ),
    Binding(
        "o",
        "open_page",
        "Open page",
        show=False,
        tooltip="open the job page in a browser (over ssh: show its URL)",
    ),
    Binding("y", "copy_id", "Copy id", show=False, tooltip="copy the job id"),
    Binding("Y", "copy_url", "Copy URL", show=False, tooltip="copy the job URL"),
    Binding("R,ctrl+r", "refresh", "Refresh", key_display="R", tooltip="refresh now"),
    Binding(
        "t",
        "stats",
        "Stats",
        show=False,
        tooltip="stats: every running job's CPU, memory, GPU and network, live",
    ),
    Binding(
        "e",
        "jump_to_failure",
        "First error",
        show=False,
        tooltip="log: jump to the first line that looks like a failure (again: the next)",
    ),
    Binding(
        "G,end",
        "follow_log",
        "Follow log",
        show=False,
        tooltip="log: jump to the end and follow new lines",
    ),
    # ---- logs ----
    Binding(
        "f",
        "load_whole_log",
        "Whole log",
        show=False,
        id="logs.whole",
        tooltip="log: load the whole log (again, or escape while it loads: cancel)",
    ),
    Binding(
        "T",
        "log_timestamps",
        "Timestamps",
        show=False,
        id="logs.timestamps",
        tooltip="log: timestamps off → UTC (or local) → relative to the job's start",
    ),
    Binding("w", "log_wrap", "Wrap", show=False, id="logs.wrap", tooltip="log: wrap long lines"),
    Binding(
        "ctrl+s",
        "save_log",
        "Save log",
        show=False,
        id="logs.save",
        tooltip="log: save the whole log (from the Hub) to a file, plain text with timestamps",
    ),
]
