"""Symmetry's application: persistence, the web app, the CLI and the jobs that wire the core to the reports."""
