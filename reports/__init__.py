"""Turning analysis results into PDF reports: Jinja2 HTML, matplotlib charts, WeasyPrint.

This package receives plain result objects and never touches the database.
"""
