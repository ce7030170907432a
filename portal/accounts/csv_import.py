"""Import customer accounts from a CSV export of the CRM.

Each row is upserted by its CRM reference, inside its own savepoint: a bad row
is reported with its line number and rolled back alone, the good rows stay.
Like a service, the import flushes and never commits; the caller commits once,
or, for a dry run, the import rolls its own work back.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from portal.accounts import service
from portal.accounts.models import STATUSES, TIERS
from portal.auth.models import User
from portal.errors import DomainError, Invalid
from portal.extensions import db

REQUIRED = ("crm_ref", "name")
OPTIONAL = (
    "industry",
    "region",
    "tier",
    "status",
    "account_manager",
    "description",
)

# Header names people use, lower-cased, mapped to the fields they fill.
HEADERS = {
    **{name: name for name in REQUIRED + OPTIONAL},
    "crm ref": "crm_ref",
    "crm reference": "crm_ref",
    "account manager": "account_manager",
    "客户编号": "crm_ref",
    "客户名称": "name",
    "行业": "industry",
    "地区": "region",
    "级别": "tier",
    "状态": "status",
    "客户经理": "account_manager",
    "描述": "description",
}

# Tier and status as CRM exports often spell them, mapped to the portal's codes.
VALUES = {
    "tier": {
        **{tier: tier for tier in TIERS},
        **{f"{tier} account": tier for tier in TIERS},
        "战略": "strategic",
        "战略客户": "strategic",
        "重点": "key",
        "重点客户": "key",
        "标准": "standard",
        "普通": "standard",
        "普通客户": "standard",
        "小": "small",
        "小客户": "small",
    },
    "status": {
        **{status: status for status in STATUSES},
        "at risk": "at_risk",
        "active customer": "active",
        "潜在": "prospect",
        "潜在客户": "prospect",
        "合作中": "active",
        "活跃": "active",
        "有流失风险": "at_risk",
        "风险": "at_risk",
        "已流失": "churned",
        "流失": "churned",
    },
}

# Tried in this order, with the name the report shows. utf-8-sig reads plain
# UTF-8 too, and drops the byte order mark Excel writes; Excel on Chinese
# Windows saves CSV as GBK.
ENCODINGS = {"utf-8-sig": "UTF-8", "gbk": "GBK"}


@dataclass
class ImportReport:
    """What an import did: counts, and the rows it refused as (line, message)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = ""
    dry_run: bool = False

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.errors)


def import_csv(
    data: bytes,
    *,
    actor: User | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Create or update an account for every row of the CSV file ``data``.

    ``progress(done, total)`` is called after each row. With ``dry_run`` the
    work is done, counted and then rolled back.

    :raises Invalid: when the file as a whole cannot be read: not text in
        UTF-8 or GBK, empty, or without a ``crm_ref`` or ``name`` column.
    """
    text, encoding = _decode(data)
    lines = _Lines(text)
    reader, ignored = _reader(lines, text)
    rows = _rows(reader, lines)
    report = ImportReport(encoding=encoding, ignored_columns=ignored, dry_run=dry_run)
    outer = db.session.begin_nested()
    try:
        for done, (line, values, overflow) in enumerate(rows, start=1):
            _import_row(line, values, overflow, actor, report)
            if progress is not None:
                progress(done, len(rows))
    except BaseException:
        outer.rollback()
        raise
    if dry_run:
        outer.rollback()
    else:
        outer.commit()
    return report


def _import_row(
    line: int, values: dict, overflow: bool, actor: User | None, report: ImportReport
) -> None:
    if overflow:
        message = _(
            "This row has more cells than the header has columns; "
            "put a value that contains a comma in double quotes."
        )
        report.errors.append((line, message))
        return
    crm_ref = values.pop("crm_ref")
    fields = {
        key: _value(key, value)
        for key, value in values.items()
        # An empty cell keeps what the account has (a new one gets the default).
        if value
    }
    try:
        with db.session.begin_nested():
            _account, created, changed = service.upsert_by_ref(crm_ref, fields, actor)
    except DomainError as e:
        report.errors.append((line, e.message))
        return
    if created:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1


def _value(key: str, value: str) -> str:
    known = VALUES.get(key)
    if known is None:
        return value
    return known.get(value.lower(), value)


def _decode(data: bytes) -> tuple[str, str]:
    for encoding, label in ENCODINGS.items():
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not text.strip():
            raise Invalid(_("The file is empty."), details={"field": "file"})
        # NUL never occurs in a text CSV; it does in spreadsheets and UTF-16.
        if "\x00" not in text:
            return text, label
    raise Invalid(
        _(
            "This is not a CSV text file the portal can read. Save it from the "
            "spreadsheet as “CSV UTF-8” (or CSV in GBK) and upload it again."
        ),
        details={"field": "file"},
    )


class _Lines:
    """The lines of a text, numbered, remembering where each CSV record starts."""

    def __init__(self, text: str):
        self._lines = io.StringIO(text, newline="")
        self.number = 0
        self.record_start = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        if not self.record_start and line.strip():
            self.record_start = self.number
        return line


def _reader(lines: _Lines, text: str) -> tuple[csv.DictReader, list[str]]:
    """Return a reader whose field names are the portal's, and the ignored columns.

    :raises Invalid: when a required column is missing or a column repeats.
    """
    first = text.lstrip().partition("\n")[0]
    # Excel writes ";" in locales where "," is the decimal separator.
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.DictReader(lines, delimiter=delimiter)
    try:
        header = reader.fieldnames or []
    except csv.Error as e:
        raise _unreadable(1, e) from None
    names, ignored = [], []
    for column in header:
        name = HEADERS.get((column or "").strip().lower())
        if name is None:
            if column and column.strip():
                ignored.append(column.strip())
        elif name in names:
            raise Invalid(
                _("The column %(name)s appears twice in the header.", name=column),
                details={"field": "file"},
            )
        names.append(name)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise Invalid(
            _(
                "The first line of the file must name the columns %(required)s; "
                "missing: %(missing)s.",
                required=", ".join(REQUIRED),
                missing=", ".join(missing),
            ),
            details={"field": "file"},
        )
    # Unknown columns read as "" and are dropped by _rows.
    reader.fieldnames = [name or "" for name in names]
    return reader, ignored


def _rows(reader: csv.DictReader, lines: _Lines) -> list[tuple[int, dict, bool]]:
    """Return ``(line, values, overflow)`` for every record that is not blank.

    ``overflow`` says the record has more non-empty cells than the header.

    :raises Invalid: when the file has no records, or one cannot be parsed.
    """
    rows = []
    while True:
        lines.record_start = 0
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise _unreadable(lines.record_start or lines.number, e) from None
        record.pop("", None)
        # Trailing empty cells ("a,b,,,") are common in exports and harmless.
        overflow = any(cell.strip() for cell in record.pop(None, None) or ())
        values = {key: (value or "").strip() for key, value in record.items()}
        if not overflow and not any(values.values()):
            continue
        rows.append((lines.record_start, values, overflow))
    if not rows:
        raise Invalid(
            _("The file has a header but no rows to import."), details={"field": "file"}
        )
    return rows


def _unreadable(line: int, error: csv.Error) -> Invalid:
    return Invalid(
        _(
            "Line %(line)d cannot be read as CSV: %(error)s",
            line=line,
            error=str(error),
        ),
        details={"field": "file"},
    )
