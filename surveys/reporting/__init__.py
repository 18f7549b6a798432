"""Team and organisation PDF reports: rendering a closed wave's reports, their status, download and delivery."""
