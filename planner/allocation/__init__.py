"""Allocation: scoring, lottery, deferred acceptance, runs, waitlist promotion and overrides."""
