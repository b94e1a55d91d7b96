"""Accounts: companies, their users, staff roles and logging in."""
