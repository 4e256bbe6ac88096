"""Keys first: from a key's arrival until its frame is out, a pouring log holds its lines
(the stream stops reading and the pane does not flush), so the key's few turns of the event
loop and its frame are not queued behind a log's batches and frames."""

from __future__ import annotations

import asyncio
import time

# A key's frame normally follows within a few ms once the loop is its own; the hold ends by
# then at the latest, even if no frame comes (a key that changes nothing on screen).
KEY_HOLD_SECONDS = 0.05
# Keys held down repeat ~30 times a second: each would extend the hold, and the log would
# stand still. Past this much holding in a row, the log gets its turn again.
MOST_HELD_SECONDS = 0.2


class KeyFirst:
    """Whether a key's frame is on its way; what holds the log asks `held` or awaits `wait`."""

    def __init__(self, hold: float = KEY_HOLD_SECONDS, most: float = MOST_HELD_SECONDS) -> None:
        self.hold = hold
        self.most = most
        self._until = 0.0
        self._since = 0.0
        self._shown = asyncio.Event()
        self._shown.set()

    def key_pressed(self) -> None:
        now = time.monotonic()
        if self._shown.is_set():
            self._since = now
        elif now - self._since > self.most:
            return  # held down: let the log have its turn (`held` ends the hold)
        self._until = now + self.hold
        self._shown.clear()

    def key_shown(self) -> None:
        """The key's frame is out (or the hold ran out): the log goes on."""
        self._until = 0.0
        self._shown.set()

    @property
    def held(self) -> bool:
        if self._shown.is_set():
            return False
        now = time.monotonic()
        if now >= self._until or now - self._since > self.most:
            self.key_shown()
            return False
        return True

    async def wait(self) -> None:
        """Until the key's frame is out or the hold runs out."""
        while self.held:
            try:
                async with asyncio.timeout(self._until - time.monotonic()):
                    await self._shown.wait()
            except TimeoutError:
                pass
