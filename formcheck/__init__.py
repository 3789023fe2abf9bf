"""formcheck: on-device exercise and posture form checking from a webcam or a clip.

Pipeline: video frames -> MediaPipe pose landmarks (``formcheck.media.estimator``) -> pose arrays
(``formcheck.core.pose``) -> per-exercise rules (``formcheck.engine``) -> feedback and reports.
"""

__version__ = "0.1.0"
