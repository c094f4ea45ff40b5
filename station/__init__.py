"""Hinge Station: a kiosk that counts hip-hinge reps and calls faults from a side-on camera."""

__version__ = "0.1.0"
