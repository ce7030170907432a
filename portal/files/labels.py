"""Words for file kinds, and sizes people read."""

from flask_babel import lazy_gettext as _l

from portal.files.service import human_size

KIND_LABELS = {
    "image": _l("Images"),
    "pdf": _l("PDF"),
    "document": _l("Documents"),
    "spreadsheet": _l("Spreadsheets"),
    "presentation": _l("Presentations"),
    "text": _l("Text"),
    "archive": _l("Archives"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


__all__ = ["KIND_LABELS", "human_size", "kind_label"]
