"""The kiosk's state: events in, a new state and effects out (a reducer)."""
