"""Feeds: iCalendar building, feed tokens, and the public and private .ics views."""
