"""Runners: drive the same engine Session over a clip (full rate or adaptive), many clips
in processes or on a Ray cluster, and live streams (``run.live``)."""
