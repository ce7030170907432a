"""Decide what a file is from its bytes, never from its name."""

import io
import zipfile
from dataclasses import dataclass

# Names whose extension promises a picture: such a file must really be one.
IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "webp", "bmp", "svg"}


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    kind: str  # one of models.KINDS, or "html" / "other" (never allowed)


_RASTER = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)

_OOXML = {
    "word/": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "document",
    ),
    "xl/": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "spreadsheet",
    ),
    "ppt/": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "presentation",
    ),
}

_OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "document",
    "application/vnd.oasis.opendocument.spreadsheet": "spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "presentation",
}

_HTML_MARKERS = (
    b"<!doctype html",
    b"<html",
    b"<script",
    b"<head",
    b"<body",
    b"<iframe",
)


def sniff(data: bytes) -> Sniffed:
    head = data[:512]
    for magic, ctype in _RASTER:
        if head.startswith(magic):
            return Sniffed(ctype, "image")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", "image")
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", "pdf")
    if head.startswith(b"PK\x03\x04"):
        return _zip(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Legacy Office (.doc/.xls/.ppt): one container for all three.
        return Sniffed("application/x-ole-storage", "document")
    if head.startswith(b"\x1f\x8b"):
        return Sniffed("application/gzip", "archive")
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return Sniffed("application/x-7z-compressed", "archive")
    if head.startswith(b"Rar!\x1a\x07"):
        return Sniffed("application/vnd.rar", "archive")
    if len(data) > 262 and data[257:262] == b"ustar":
        return Sniffed("application/x-tar", "archive")
    text = _as_text(data)
    if text is not None:
        lowered = text[:2048].lstrip("\ufeff \t\r\n").lower().encode()
        if b"<svg" in lowered[:1024] and (
            lowered.startswith(b"<svg") or lowered.startswith(b"<?xml")
        ):
            return Sniffed("image/svg+xml", "image")
        if any(marker in lowered for marker in _HTML_MARKERS):
            return Sniffed("text/html", "html")
        return Sniffed("text/plain", "text")
    return Sniffed("application/octet-stream", "other")


def _zip(data: bytes) -> Sniffed:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            if "mimetype" in names:
                mimetype = z.read("mimetype").decode("ascii", "replace").strip()
                if mimetype in _OPENDOCUMENT:
                    return Sniffed(mimetype, _OPENDOCUMENT[mimetype])
            if "[Content_Types].xml" in names:
                for prefix, (ctype, kind) in _OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return Sniffed(ctype, kind)
    except (zipfile.BadZipFile, OSError, ValueError):
        pass
    return Sniffed("application/zip", "archive")


def _as_text(data: bytes) -> str | None:
    """The bytes as text, if they are text (UTF-8 or GB18030, no NULs)."""
    sample = data[:65536]
    if b"\x00" in sample:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # A multi-byte character may be cut at the sample's end.
            return sample.decode(encoding)
        except UnicodeDecodeError as e:
            if len(sample) == len(data) or e.start < len(sample) - 4:
                continue
            return sample[: e.start].decode(encoding)
    return None


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")
