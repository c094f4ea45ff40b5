"""The kiosk: screens, buttons, LEDs and sound around the coach."""
