"""GPIO: the buttons and the fault LEDs (gpiozero; its mock pin factory in tests)."""
