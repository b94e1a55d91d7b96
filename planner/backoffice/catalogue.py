"""Back-office pages for the exhibition catalogue: create, edit, cancel, postpone, CSV."""
from __future__ import annotations

from planner.backoffice.views import bp  # noqa: F401
