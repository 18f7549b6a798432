"""Exports of a closed wave: its team results (CSV, XLSX, SPSS) and, for admins, its response-level data."""
