"""Imports every domain's models so metadata (and Alembic) sees the whole schema."""
from planner.accounts import models as accounts  # noqa: F401
from planner.allocation import models as allocation  # noqa: F401
from planner.backoffice import models as backoffice  # noqa: F401
from planner.catalogue import models as catalogue  # noqa: F401
from planner.feeds import models as feeds  # noqa: F401
from planner.notifications import models as notifications  # noqa: F401
from planner.outcomes import models as outcomes  # noqa: F401
from planner.signups import models as signups  # noqa: F401
