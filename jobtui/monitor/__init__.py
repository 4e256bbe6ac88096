"""The monitor: jobs in memory, kept in step with the Hub by a poller; what the list shows.
No Textual here: the UI hands in a `report` sink and turns reports into messages."""

from jobtui.monitor.listing import Listing
from jobtui.monitor.logs import LogFeed
from jobtui.monitor.poller import Freshness, Poller
from jobtui.monitor.store import JobStore, StageChange, StoreDiff
from jobtui.monitor.sync import JobSync

__all__ = [
    "Freshness",
    "JobStore",
    "JobSync",
    "Listing",
    "LogFeed",
    "Poller",
    "StageChange",
    "StoreDiff",
]
