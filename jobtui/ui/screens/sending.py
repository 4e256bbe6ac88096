"""A dialog that sends one request to the Hub: however often its key is pressed, one request
is in flight; the Hub's refusal is said in the dialog (its `#problem` line) and the user may
try again; an answer closes the dialog with it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from rich.text import Text
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from jobtui.hub.errors import HubError
from jobtui.ui.terminal_text import clean_text

T = TypeVar("T")


class SendingScreen(ModalScreen[T]):
    sending = False
    """A request is on its way: the dialog neither sends again nor closes."""

    def send_once(
        self,
        call: Callable[[], Awaitable[T]],
        *,
        refused: str,
        description: str,
        button: str | None = None,
    ) -> None:
        """Send `call()` unless a request is on its way; `refused` starts the line that says
        why the Hub refused; `button` (an id) is disabled meanwhile."""
        if self.sending:
            return
        self.sending = True
        if button is not None:
            self.query_one(f"#{button}", Button).disabled = True
        self.say_problem("Sending…")
        self.run_worker(
            self._send_once(call, refused, button),
            exclusive=True,
            exit_on_error=False,
            description=description,  # never the spec: it may hold secret values
        )

    async def _send_once(
        self, call: Callable[[], Awaitable[T]], refused: str, button: str | None
    ) -> None:
        try:
            answer = await call()
        except HubError as exc:
            # The Hub said no (or could not be reached): say why here, where the question
            # was asked. Sending again is a new request the user chose to send.
            self.sending = False
            if button is not None:
                self.query_one(f"#{button}", Button).disabled = False
            self.after_refusal()
            self.say_problem(f"{refused}: {clean_text(exc, max_length=300)}")
            return
        self.dismiss(answer)

    def say_problem(self, text: str) -> None:
        self.query_one("#problem", Static).update(Text(text))

    def after_refusal(self) -> None:
        """What the dialog checks again once a refusal lets the user send again."""
