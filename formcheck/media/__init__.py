"""Pixels in and out: the pose model (the only mediapipe import) and its bundles, the
two-person check, clips and stills in, the annotated video out, the overlay, samples."""
