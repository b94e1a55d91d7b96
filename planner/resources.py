"""Where the site's files are. The source tree keeps templates/, static/, migrations/ and
translations/ beside the package; the wheel's build puts them inside it (hatch_build.py). The
app looks inside the package first, so an installed copy never reaches for a checkout."""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def installed() -> bool:
    """True when running from a built wheel: the resources sit inside the package."""
    return (PACKAGE_DIR / "templates").is_dir()


def resource_dir(name: str) -> str:
    """Absolute path of `templates`, `static`, `migrations` or `translations`."""
    return str(PACKAGE_DIR / name if installed() else PACKAGE_DIR.parent / name)
