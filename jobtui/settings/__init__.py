"""The user's settings: the config file, the environment and the flags, merged into one typed
record; and the little the app remembers between runs. No Textual here."""

from jobtui.settings.load import ConfigError, default_path, resolve, unset_flag_defaults
from jobtui.settings.schema import Settings
from jobtui.settings.state import StateFile

__all__ = [
    "ConfigError",
    "Settings",
    "StateFile",
    "default_path",
    "resolve",
    "unset_flag_defaults",
]
