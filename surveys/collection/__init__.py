"""Collecting answers through invitation tokens, stored without identity."""
