"""Instruments as versioned data: the TOML files, their loader and their stored versions."""
