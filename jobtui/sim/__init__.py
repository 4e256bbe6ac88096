"""A simulated Hugging Face Hub that speaks the Jobs API, for demos and tests. No Textual here."""

from jobtui.sim.faults import Faults
from jobtui.sim.ratelimit import FREE_ACCOUNT, RateLimit
from jobtui.sim.server import SimulatedHub
from jobtui.sim.world import World

__all__ = ["FREE_ACCOUNT", "Faults", "RateLimit", "SimulatedHub", "World"]
