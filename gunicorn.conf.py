"""gunicorn settings read from the working directory: `gunicorn wsgi:app` picks them up."""
from planner.logs import GunicornLogger

# Private feed URLs and account links carry secrets; keep them out of the access log.
logger_class = GunicornLogger
