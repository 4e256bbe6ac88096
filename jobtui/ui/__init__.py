"""The terminal UI: the Textual app, its widgets, screens and styles."""
