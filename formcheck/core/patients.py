"""Patient keys: the sanitised slug + hash that stands for a patient's name in folder names and
the database (no path traversal; two different patients never share a key)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from formcheck.core.errors import FormcheckError

MAX_NAME_CHARS = 80
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def _normalise(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def patient_key(name: str) -> str:
    """Folder name for a patient: ``jane-doe-1a2b3c4d``. Raises FormcheckError on an empty
    or over-long name. Only ``[a-z0-9-]`` survive, so ``../x`` or ``a/b`` cannot escape."""
    norm = _normalise(name)
    if not norm:
        raise FormcheckError("patient name is empty; type a name (or initials) to save a profile")
    if len(norm) > MAX_NAME_CHARS:
        raise FormcheckError(f"patient name is longer than {MAX_NAME_CHARS} characters")
    ascii_ = unicodedata.normalize("NFKD", norm).encode("ascii", "ignore").decode()
    slug = _SLUG_CHARS.sub("-", ascii_).strip("-")[:40] or "patient"
    digest = hashlib.sha256(norm.encode()).hexdigest()[:8]
    return f"{slug}-{digest}"
