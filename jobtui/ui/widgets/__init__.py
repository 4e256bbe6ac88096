"""Widgets: they draw what they are given and hold no HTTP."""
