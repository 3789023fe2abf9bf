"""Defaults and well-known locations, in one place."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUNDLED_MODELS_DIR = PROJECT_ROOT / "models"
EXERCISES_DIR = PROJECT_ROOT / "exercises"
# In a subfolder so it is never listed as an exercise; $FORMCHECK_HOME/red_flags.toml overrides it.
RED_FLAGS_FILE = EXERCISES_DIR / "safety" / "red_flags.toml"
SAMPLE_VIDEOS_DIR = PROJECT_ROOT / "sample_videos"
DEFAULT_MODEL_NAME = "pose_landmarker_full.task"
# The desk monitor runs for hours at 2 samples per second; the lite model costs ~25% less CPU
# per sample (measured: 15.6 vs 19.4 ms at real time) and judges the labelled sitting clips
# and stills the same as the full model (formcheck evaluate --model lite).
MONITOR_MODEL_VARIANT = "lite"
# Left and right are flagged when an asymmetry index |L - R| / max(L, R) (formcheck.engine.asymmetry)
# exceeds this share. 0.15 = a limb symmetry index below 85%: rehabilitation criteria ask for
# 85-90% (e.g. Grindem et al. 2016, Br J Sports Med 50:804, 90% quadriceps symmetry), and 2D
# angles err 2-7 deg (CLINICAL.md), 6-12% of a 60-110 deg range, so a smaller share would flag
# measurement noise. A therapist sets it per patient (profile) or per exercise (definition).
ASYMMETRY_FLAG_SHARE = 0.15

# The one list of what formcheck reads (decoded by PyAV; stills by OpenCV).
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv", ".gif", ".mpg",
                            ".mpeg", ".3gp", ".y4m"})
MEDIA_SUFFIXES = IMAGE_SUFFIXES | VIDEO_SUFFIXES


def data_home() -> Path:
    """Where formcheck keeps user data (downloaded models, profiles, saved sessions).

    ``$FORMCHECK_HOME`` wins; otherwise ``$XDG_DATA_HOME/formcheck`` or
    ``~/.local/share/formcheck``.
    """
    env = os.environ.get("FORMCHECK_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "formcheck"


def user_models_dir() -> Path:
    return data_home() / "models"

# Clinic server (formcheck serve). Session limits follow NIST SP 800-63B (AAL2: re-authenticate
# after 12 h, or after 30 min without activity); its throttling section asks for a limit on
# consecutive failed logins: 5 failures lock the account for 30 s, doubling each further
# failure, at most 15 min (a real user waits a little; a guesser gets a few dozen tries a day).
SESSION_IDLE_S = 30 * 60
SESSION_MAX_S = 12 * 3600
LOCKOUT_AFTER_FAILURES = 5
LOCKOUT_FIRST_S = 30.0
LOCKOUT_MAX_S = 15 * 60.0
UNKNOWN_LOGINS_KEPT = 10_000   # usernames without an account whose failures are remembered (memory)
INVITE_VALID_S = 7 * 86400
PASSWORD_MIN_CHARS = 10        # NIST SP 800-63B: at least 8; no composition rules
PASSWORD_MAX_CHARS = 256       # hashing a megabyte "password" is a denial of service
BACKUPS_KEPT = 7
BACKUP_EVERY_S = 86400
