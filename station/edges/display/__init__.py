"""The screen: the kiosk's screens, their widgets and the rep chart (pygame)."""

import os

# pygame prints a banner to stdout on import; `station run --exit-at-end` owes stdout one JSON object.
# Every pygame import in the package comes after this one (compose imports the screens first).
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
