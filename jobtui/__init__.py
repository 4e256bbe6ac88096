"""jobtui: a terminal monitor for Hugging Face Jobs."""

__version__ = "0.1.0"
