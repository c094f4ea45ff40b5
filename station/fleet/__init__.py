"""Many stations, one gym database: the sender (`station sync`) and the owner's report (`station fleet`)."""
