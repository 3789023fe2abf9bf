"""The one exception type users see: a clear, one-line message instead of a traceback."""

from __future__ import annotations


class FormcheckError(Exception):
    """An input or environment problem with a message meant for the user (one line)."""


class MediaError(FormcheckError):
    """A clip or image that cannot be read: missing, empty, corrupt, unsupported, no frames."""


class ModelError(FormcheckError):
    """A pose model bundle that is missing, invalid or cannot be downloaded."""


class DefinitionError(FormcheckError):
    """An exercise definition or patient profile that fails validation (names file and field)."""
