"""Storage: the history database, the journal that comes first, the keeper that writes both, the sender's cursor."""
