"""Refresh the Korean catalogue: extract messages, update translations/ko, merge the Korean
strings kept in translations/fragments/*.json, and list what is still untranslated.

    .venv/bin/python tools/translations.py
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PO = ROOT / "translations/ko/LC_MESSAGES/messages.po"


def main() -> int:
    subprocess.run([BIN / "pybabel", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "ngettext_:1,2",
                    "--no-location", "--sort-output",
                    # Babel skips folders starting with "_" by default: templates/_macros/ among them.
                    "--ignore-dirs", ".*", "-o", "translations/messages.pot", "."],
                   cwd=ROOT, check=True, capture_output=True)
    subprocess.run([BIN / "pybabel", "update", "-i", "translations/messages.pot", "-d", "translations",
                    "-l", "ko", "--no-fuzzy-matching", "--ignore-obsolete"],
                   cwd=ROOT, check=True, capture_output=True)
    fragments: dict[str, str] = {}
    for path in sorted((ROOT / "translations/fragments").glob("*.json")):
        fragments.update(json.loads(path.read_text(encoding="utf-8")))
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="ko")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in fragments and fragments[key]:
            message.string = fragments[key] if isinstance(message.id, str) else (fragments[key],)
            message.flags.discard("fuzzy")
        elif not message.string or (isinstance(message.string, tuple) and not message.string[0]):
            missing.append(key)
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, sort_output=True, include_lineno=False)
    print(f"{len(catalog) - 1} messages, {len(missing)} untranslated")
    for key in missing:
        print("  untranslated:", key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
