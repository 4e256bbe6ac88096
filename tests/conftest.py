"""Shared fixtures: a simulated Hub on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from jobtui.hub import HubClient, Token
from jobtui.sim import RateLimit, SimulatedHub


@pytest.fixture
def hub() -> Iterator[SimulatedHub]:
    """A started simulated Hub: 120 jobs, pages of 25, 1 s keep-alives, 0.3 s scheduling, and a
    rate limit no test reaches (100,000 requests per 300 s) that still sends the headers."""
    with SimulatedHub(
        seed=1,
        jobs=120,
        page_size=25,
        keepalive=1.0,
        scheduling_secs=0.3,
        rate_limit=RateLimit(100_000, 300),
    ) as hub:
        yield hub


@pytest.fixture
async def api(hub: SimulatedHub) -> AsyncIterator[HubClient]:
    """A second client: what another terminal running `hf jobs run` would do."""
    async with HubClient(hub.url, Token(hub.token, "--token")) as client:
        yield client
