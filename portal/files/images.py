"""Re-encode uploaded pictures (dropping metadata) and make thumbnails."""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (320, 320)
# About 50 megapixels: larger pictures are refused rather than decoded.
MAX_PIXELS = 50_000_000

_SAVE_AS = {
    "PNG": ("PNG", "image/png"),
    "JPEG": ("JPEG", "image/jpeg"),
    "GIF": ("PNG", "image/png"),
    "BMP": ("PNG", "image/png"),
    "WEBP": ("WEBP", "image/webp"),
}


class NotAnImage(ValueError):
    """The bytes do not decode as a picture we accept."""


@dataclass(frozen=True)
class Picture:
    data: bytes
    content_type: str
    width: int
    height: int
    thumbnail: bytes
    thumbnail_type: str


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise NotAnImage("too many pixels")
            image.load()
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            OSError,
            SyntaxError,
            ValueError,
        ) as e:
            raise NotAnImage(str(e)) from None
    return image


def reencode(data: bytes) -> Picture:
    """Decode ``data`` and write it anew: no EXIF, no comments, no trailing bytes.

    :raises NotAnImage: when it does not decode as PNG, JPEG, GIF, BMP or WebP.
    """
    image = _open(data)
    fmt = image.format
    if fmt not in _SAVE_AS:
        raise NotAnImage(f"unsupported format {fmt}")
    save_format, content_type = _SAVE_AS[fmt]
    # Turn the picture upright before its orientation tag is dropped.
    image = ImageOps.exif_transpose(image)
    if save_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    # A fresh image carries pixels only: no info dict, EXIF, XMP or ICC text.
    if image.mode == "P":
        clean = image.copy()
        clean.info = {}
        if "transparency" in image.info:
            clean.info["transparency"] = image.info["transparency"]
    else:
        clean = Image.new(image.mode, image.size)
        clean.paste(image)
    out = io.BytesIO()
    options = {"quality": 90, "optimize": True} if save_format == "JPEG" else {}
    clean.save(out, save_format, **options)
    thumb = clean.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_out = io.BytesIO()
    if save_format == "JPEG":
        thumb.save(thumb_out, "JPEG", quality=85)
        thumb_type = "image/jpeg"
    else:
        thumb.save(thumb_out, "PNG")
        thumb_type = "image/png"
    return Picture(
        out.getvalue(),
        content_type,
        clean.width,
        clean.height,
        thumb_out.getvalue(),
        thumb_type,
    )
