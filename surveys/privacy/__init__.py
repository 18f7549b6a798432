"""Personal data under the RGPD: how long each kind is kept, and its deletion when the time is up."""
