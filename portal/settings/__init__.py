"""Development settings: the defaults a fresh checkout runs with.

Production uses ``portal.settings.production``; tests use this module.
"""

from .base import *  # noqa: F403
