"""Text from documents, for search: PDF, Word, Excel, PowerPoint, plain text.

Extraction never raises: a broken or encrypted file gives status "failed" and a
short reason, and the upload goes on.
"""

import io
import logging
import zipfile
from dataclasses import dataclass

from portal.files.sniff import decode_text

log = logging.getLogger(__name__)

# Enough for any search snippet and every word worth finding; a 900-page PDF
# does not need its every character in the index.
MAX_CHARS = 500_000
MAX_PDF_PAGES = 300
MAX_SHEET_ROWS = 20_000


@dataclass(frozen=True)
class Extracted:
    status: str  # "ok", "empty", "failed" or "none"
    text: str | None = None
    error: str | None = None


class _Encrypted(Exception):
    pass


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        # Some PDFs are "encrypted" with an empty password, only to forbid
        # printing; those still open.
        try:
            if not reader.decrypt(""):
                raise _Encrypted
        except _Encrypted:
            raise
        except Exception:
            raise _Encrypted from None
    parts = []
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES:
            break
        parts.append(page.extract_text() or "")
    return "\n".join(parts)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _xlsx(data: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts = []
    try:
        for sheet in book.worksheets:
            parts.append(sheet.title)
            for number, row in enumerate(sheet.iter_rows(values_only=True)):
                if number >= MAX_SHEET_ROWS:
                    break
                cells = [str(v) for v in row if v is not None and str(v) != ""]
                if cells:
                    parts.append("\t".join(cells))
    finally:
        book.close()
    return "\n".join(parts)


def _pptx(data: bytes) -> str:
    import pptx

    deck = pptx.Presentation(io.BytesIO(data))
    parts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    parts.append("\t".join(cell.text for cell in row.cells))
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


_EXTRACTORS = {
    "application/pdf": _pdf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _docx,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _xlsx,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        _pptx
    ),
    "text/plain": decode_text,
}


def extract(data: bytes, content_type: str) -> Extracted:
    """Return the text of ``data`` (of the sniffed ``content_type``)."""
    extractor = _EXTRACTORS.get(content_type)
    if extractor is None:
        return Extracted("none")
    try:
        text = extractor(data)
    except _Encrypted:
        return Extracted("failed", error="encrypted: the file needs a password")
    except (zipfile.BadZipFile, KeyError) as e:
        return Extracted("failed", error=f"broken file: {type(e).__name__}")
    except Exception as e:  # noqa: BLE001 - third-party parsers raise anything
        log.info("text extraction failed: %r", e)
        return Extracted("failed", error=f"unreadable: {type(e).__name__}: {e}"[:500])
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return Extracted("empty", text="")
    return Extracted("ok", text=text[:MAX_CHARS])
