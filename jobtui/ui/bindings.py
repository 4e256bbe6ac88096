"""The main screen's keys and the job list's. Each tooltip is also a line of the help screen
and of the README's key table (see keys.py), so the three never drift apart."""

from __future__ import annotations

from textual.binding import Binding, BindingType

MAIN_SCREEN_BINDINGS: list[BindingType] = [
    Binding("q", "app.quit", "Quit", tooltip="quit", id="app.quit"),
    Binding("question_mark", "help", "Help", key_display="?", tooltip="this help", id="app.help"),
    Binding(
        "tab",
        "app.focus_next",
        "Next pane",
        show=False,
        tooltip="next pane: jobs, log, details",
        id="app.focus_next",
    ),
    Binding(
        "shift+tab",
        "app.focus_previous",
        "Previous pane",
        show=False,
        tooltip="previous pane",
        id="app.focus_previous",
    ),
    Binding(
        "slash",
        "filter",
        "Filter",
        key_display="/",
        tooltip="filter: words in id, name, image, command; label:k=v, label:k, "
        "stage:error, flavor:a100*, ns:org (all must match); enter selects the first match",
        id="jobs.filter",
    ),
    Binding(
        "escape",
        "clear_filter",
        "Clear filter",
        show=False,
        tooltip="clear the filter",
        id="jobs.clear_filter",
    ),
    Binding(
        "a", "toggle_live", "All/live", tooltip="all jobs / only live ones", id="jobs.toggle_live"
    ),
    Binding(
        "i",
        "toggle_detail",
        "Details",
        tooltip="details instead of the log (narrow terminals)",
        id="jobs.details",
    ),
    Binding(
        "c",
        "cancel",
        "Cancel job",
        tooltip="cancel the selected job, or every marked live job, after a confirmation",
        id="jobs.cancel",
    ),
    Binding(
        "r",
        "rerun",
        "Rerun",
        tooltip="rerun: preview what will be sent, edit flavor and environment, settle secrets",
        id="jobs.rerun",
    ),
    Binding(
        "space",
        "mark",
        "Mark",
        show=False,
        tooltip="mark / unmark a live job for cancel, and move down",
        id="jobs.mark",
    ),
    Binding(
        "M",
        "clear_marks",
        "Clear marks",
        show=False,
        tooltip="clear every mark",
        id="jobs.clear_marks",
    ),
    Binding(
        "n",
        "next_namespace",
        "Namespace",
        show=False,
        tooltip="switch namespace: each watched user or org, then all of them",
        id="jobs.namespace",
    ),
    Binding(
        "o",
        "open_page",
        "Open page",
        show=False,
        tooltip="open the job page in a browser (over ssh: show its URL)",
        id="jobs.open_page",
    ),
    Binding("y", "copy_id", "Copy id", show=False, tooltip="copy the job id", id="jobs.copy_id"),
    Binding(
        "Y", "copy_url", "Copy URL", show=False, tooltip="copy the job URL", id="jobs.copy_url"
    ),
    Binding(
        "R,ctrl+r",
        "refresh",
        "Refresh",
        key_display="R",
        show=False,  # the list refreshes itself; the footer keeps room for what matters
        tooltip="refresh now",
        id="jobs.refresh",
    ),
    Binding(
        "t",
        "stats",
        "Stats",
        show=False,
        tooltip="stats: every running job's CPU, memory, GPU and network, live",
        id="jobs.stats",
    ),
    Binding(
        "e",
        "jump_to_failure",
        "First error",
        show=False,
        tooltip="log: jump to the first line that looks like a failure (again: the next)",
        id="log.first_error",
    ),
    Binding(
        "G,end",
        "follow_log",
        "Follow log",
        show=False,
        tooltip="log: jump to the end and follow new lines",
        id="log.follow",
    ),
    # ---- labels, filter, command palette ------------------------------------------------
    Binding(
        "L",
        "edit_labels",
        "Labels",
        show=False,
        id="labels.edit",
        tooltip="edit the selected job's name and labels",
    ),
    Binding(
        "b",
        "pick_label",
        "Labels in use",
        show=False,
        id="labels.list",
        tooltip="list the labels in use with their counts; pick one to filter by it",
    ),
    Binding(
        "ctrl+p",
        "app.command_palette",
        "Commands",
        id="palette.open",
        tooltip="command palette: find a job, an action, a namespace or a view by name",
    ),
    # ssh / ports / new job
    Binding(
        "x",
        "ssh",
        "SSH",
        show=False,
        id="access.ssh",
        tooltip="ssh into the selected running job (started with SSH); back when ssh exits",
    ),
    Binding(
        "p",
        "open_ports",
        "Ports",
        show=False,
        id="access.open_port",
        tooltip="open or copy an exposed URL of the job (a picker when several)",
    ),
    Binding(
        "P",
        "change_ports",
        "Change ports",
        show=False,
        id="access.change_ports",
        tooltip="change the exposed ports of a live job (confirmed, old and new shown)",
    ),
    Binding(
        "plus",
        "new_job",
        "New job",
        key_display="+",
        show=False,
        id="access.new_job",
        tooltip="new job: a form with a preview; run it, or copy it as an hf jobs run line",
    ),
    # schedules
    Binding(
        "s",
        "schedules",
        "Schedules",
        id="schedules.open",
        tooltip="schedules view: every scheduled job of the watched namespaces (s: back)",
    ),
    # ---- logs ----
    Binding(
        "f",
        "load_whole_log",
        "Whole log",
        show=False,
        id="log.whole",
        tooltip="log: load the whole log (again, or escape while it loads: cancel)",
    ),
    Binding(
        "T",
        "log_timestamps",
        "Timestamps",
        show=False,
        id="log.timestamps",
        tooltip="log: timestamps off → UTC (or local) → relative to the job's start",
    ),
    Binding("w", "log_wrap", "Wrap", show=False, id="log.wrap", tooltip="log: wrap long lines"),
    Binding(
        "ctrl+s",
        "save_log",
        "Save log",
        show=False,
        id="log.save",
        tooltip="log: save the whole log (from the Hub) to a file, plain text with timestamps",
    ),
]

# The job list's own keys (JobTable.BINDINGS): they apply while the list has focus.
JOB_TABLE_BINDINGS: list[BindingType] = [
    Binding(
        "up,k",
        "cursor_up",
        "Up",
        show=False,
        tooltip="previous job (in the log or details: scroll up)",
        id="jobs.up",
    ),
    Binding(
        "down,j",
        "cursor_down",
        "Down",
        show=False,
        tooltip="next job (in the log or details: scroll down)",
        id="jobs.down",
    ),
    Binding("pageup", "page_up", "Page up", show=False, tooltip="a page up", id="jobs.page_up"),
    Binding(
        "pagedown",
        "page_down",
        "Page down",
        show=False,
        tooltip="a page down",
        id="jobs.page_down",
    ),
    Binding(
        "home,g",
        "first",
        "First",
        show=False,
        tooltip="the newest job (in the log: its first line)",
        id="jobs.first",
    ),
    # end and G are the log's: from the list they resume following (see MainScreen).
]
