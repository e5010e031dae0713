"""Fill Chinese translations into the catalogue: `python scripts/translate.py FILE.json`.

The JSON maps English msgids to their Chinese text; entries are marked not fuzzy. Used
after `make messages` so that the catalogue stays complete (a test fails otherwise).
"""

import json
import sys

import polib

PO = "locale/zh_Hans/LC_MESSAGES/django.po"


def main(path: str) -> None:
    translations = json.loads(open(path, encoding="utf-8").read())
    po = polib.pofile(PO)
    for entry in po:
        if entry.msgid in translations:
            value = translations[entry.msgid]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    po.save(PO)
    missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    print("\n".join(missing) or "catalogue complete")


if __name__ == "__main__":
    main(sys.argv[1])
