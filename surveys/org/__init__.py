"""The organisation's roster: teams, employees and customers."""
