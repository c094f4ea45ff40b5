"""The edges: frame sources, the pose runtime, GPIO, the display, sound, storage and the
system's health, each behind a small adapter that the composition root (station/compose.py) picks."""
