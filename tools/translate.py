"""Fill Chinese translations into a package's catalog from a JSON file.

    python -m tools.translate PACKAGE FILE.json   # PACKAGE "core" for the core

The JSON maps each English msgid to its Chinese text (a list for plural forms).
Existing translations are overwritten by the file's; others are kept.
"""

import json
import sys

from babel.messages.pofile import read_po, write_po

from portal import i18n


def main(package: str, path: str) -> None:
    pkg = None if package == "core" else package
    po = i18n.catalog_dir(pkg) / "zh" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale="zh")
    with open(path, encoding="utf-8") as f:
        strings = json.load(f)
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in strings:
            value = strings[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
    with po.open("wb") as f:
        write_po(f, catalog, width=88)
    left = i18n.missing(pkg)
    print(f"{package}: {len(left)} strings still untranslated")
    for msgid in left:
        print("  ", repr(msgid))


if __name__ == "__main__":
    main(*sys.argv[1:])
