"""Every user-facing string in the code and templates has a Korean translation in the catalogue
the app serves, so no Korean page falls back to English for a message someone forgot."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations/ko/LC_MESSAGES/messages.po"


def _source_messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
                "pgettext": ((1, "c"), 2)}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords,
            # Babel's default filter skips folders starting with "_", templates/_macros/ among them.
            directory_filter=lambda path: not Path(path).name.startswith(".")):
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def test_every_source_message_has_a_korean_translation():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="ko")
    translated = set()
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string if isinstance(message.string, str) else (message.string or ("",))[0]
        if text and "fuzzy" not in message.flags:
            translated.add(key)
    missing = sorted(_source_messages() - translated)
    assert not missing, (f"{len(missing)} messages lack Korean (add them to translations/fragments/"
                         f"*.json and run tools/translations.py): {missing[:20]}")


def test_korean_strings_of_templates_survive_formatting():
    """Jinja's `_()` always %-formats what gettext returns, placeholders or not, so a lone "%" in a
    Korean string ("비율(%)") breaks the page that shows it with a 500 while English still works."""
    import re

    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    template_messages = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT / "templates"), [(pattern.removeprefix("templates/"), method)
                                      for pattern, method in method_map if pattern.startswith("templates/")],
            options_map, directory_filter=lambda path: not Path(path).name.startswith(".")):
        template_messages.update([message] if isinstance(message, str) else [m for m in message if m])
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="ko")
    broken = []
    for message in catalog:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        texts = [message.string] if isinstance(message.string, str) else list(message.string or ())
        if not message.id or not template_messages.intersection(ids):
            continue
        names = {name: 1 for name in re.findall(r"%\((\w+)\)", " ".join(ids))}
        for text in texts:
            try:
                text % names
            except (ValueError, TypeError, KeyError) as exc:
                broken.append(f"{ids[0]!r}: {exc}")
    assert not broken, broken


def test_no_two_fragments_translate_one_message_differently():
    # tools/translations.py merges the fragments in file order, so a second, different Korean
    # for the same message would silently replace the first one on every page.
    import json
    seen: dict[str, dict[str, str]] = {}
    for path in sorted((ROOT / "translations/fragments").glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            seen.setdefault(key, {})[path.name] = value
    conflicts = {k: v for k, v in seen.items() if len(set(map(str, v.values()))) > 1}
    assert not conflicts, f"{len(conflicts)} messages translated differently: {list(conflicts.items())[:5]}"
