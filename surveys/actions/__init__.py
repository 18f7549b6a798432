"""Action plans: what a team decides to do about a gap, and what the next wave measures after it."""
