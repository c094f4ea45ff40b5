"""The kiosk: screens, buttons, LEDs and sound around the coach."""

import os

# pygame prints a banner to stdout on import; `station run --exit-at-end` owes stdout one JSON object.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
