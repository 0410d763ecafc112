"""A process after the workshop: its page, its lifecycle moves, follow-up, print and poster."""
