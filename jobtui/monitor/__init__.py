"""The monitor: jobs in memory, kept in step with the Hub by a poller; what the list shows.
No Textual here: the UI hands in a `report` sink and turns reports into messages.

Nothing is imported here: `jobtui` reads its cache (`jobtui.monitor.cache`) before anything
else at start, and must not pay for the poller to do so."""
