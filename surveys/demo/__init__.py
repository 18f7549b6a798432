"""The demo: a simulated organisation and wave, run through the real services."""
