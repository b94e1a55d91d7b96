"""Catalogue services: exhibitions (search, edit, CSV) and programmes with their offers."""
from planner.catalogue.services.exhibitions import *  # noqa: F401,F403
from planner.catalogue.services.programmes import *  # noqa: F401,F403
