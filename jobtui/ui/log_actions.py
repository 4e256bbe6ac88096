"""What the log keys do: load the whole log, timestamps, wrap, save the log to a file.

A part of the main screen, kept apart so the screen's file stays about showing things.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from jobtui.hub.errors import HubError
from jobtui.hub.models import JobInfo
from jobtui.monitor.log_file import default_log_path, save_log
from jobtui.ui.terminal_text import clean_log_line, clean_text, without_colour
from jobtui.ui.widgets.log_pane import LogPane
from jobtui.ui.widgets.log_text import STAMP_MODES

if TYPE_CHECKING:
    from textual.screen import Screen

    from jobtui.ui.app import JobsApp

    _Base = Screen[None]
else:
    _Base = object


def plain_line(text: str) -> str:
    """A log line as the file holds it: what the pane shows, without colour or escapes."""
    return without_colour(clean_log_line(text))


class LogActions(_Base):
    """Mixed into MainScreen: the keys that act on the log of the selected job."""

    jobs_app: JobsApp
    log_pane: LogPane

    def selected_job(self) -> JobInfo | None:
        raise NotImplementedError

    def action_load_whole_log(self) -> None:
        self.jobs_app.say(self.log_pane.load_whole(), timeout=3)

    def cancel_whole_log(self) -> bool:
        """Escape while the whole log loads: stop it (True), else nothing to do here."""
        if self.log_pane.cancel_whole():
            self.jobs_app.say("Loading the whole log: cancelled; back to the tail.", timeout=3)
            return True
        return False

    def action_log_timestamps(self) -> None:
        view = self.log_pane.view
        mode = STAMP_MODES[(STAMP_MODES.index(view.stamp_mode) + 1) % len(STAMP_MODES)]
        view.local_time = self.jobs_app.local_time
        view.set_stamp_mode(mode)
        said = {
            "off": "off",
            "absolute": "local time" if view.local_time else "UTC",
            "relative": "relative to the job's start",
        }[mode]
        self.jobs_app.say(f"Log timestamps: {said} (T again to change).", timeout=3)

    def action_log_wrap(self) -> None:
        view = self.log_pane.view
        view.set_wrap(not view.wrap)
        said = "on" if view.wrap else "off (h / l scroll sideways)"
        self.jobs_app.say(f"Wrap long lines: {said}.", timeout=3)

    def action_save_log(self) -> None:
        from jobtui.ui.screens.save_log import SaveLogScreen  # loaded when first opened

        job = self.selected_job()
        if job is None:
            self.jobs_app.say("No job selected: nothing to save.", timeout=3)
            return
        name = clean_text(job.display_name, max_length=60)

        def chosen(path: Path | None) -> None:
            if path is not None:
                self._save_log(job, path)

        self.app.push_screen(SaveLogScreen(Path(".") / default_log_path(job), name), chosen)

    @work(group="save-log", exit_on_error=False, description="save a log")
    async def _save_log(self, job: JobInfo, path: Path) -> None:
        app = self.jobs_app
        app.say(f"Saving the whole log to {path}…", timeout=3)
        try:
            count = await save_log(app.log_feed, job, path, plain_line)
        except FileExistsError:
            app.say(f"{path} exists: it is never overwritten. Nothing saved.", severity="error")
            return
        except OSError as exc:
            app.say(f"Could not write {path}: {exc.strerror or exc}", severity="error")
            return
        except HubError as exc:
            app.say(f"Could not fetch the log: {exc}. Nothing saved.", severity="error")
            return
        lines = "line" if count == 1 else "lines"
        app.say(f"Saved {count:,} {lines} to {path.resolve()}.", timeout=10)
