"""The core: the coach, the drills, the kiosk's state and the placement rules.

Plain data in, plain data out: no screen, no hardware, no threads (tests/test_imports.py keeps it so).
"""
