"""Scans and photos as upright page images an OCR engine can read, or refused with the reason.

Phone photos carry their orientation in EXIF rather than in the pixels; scanners write multi-page
TIFFs; a 20000 x 20000 px image decodes to 1.2 GB. So each page is turned upright by its EXIF tag,
scaled to the size OCR works at (the detector works at 2,000 px on the long side at most, and more
pixels only cost time), and a file that is corrupt, too large, too small or blank is refused before
any OCR time is spent on it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, ImageStat

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp"})


@dataclass(frozen=True)
class ImageLimits:
    """A 600 dpi A3 scan is 70 megapixels and a phone photo 12 to 50: the pixel limit is above
    both and below what would take gigabytes to decode."""

    max_pixels: int = 100_000_000
    min_side: int = 32  # fewer pixels than one line of receipt text
    ocr_long_side: int = 2000
    # A page whose grey levels vary less than this (standard deviation, 0-255) holds no ink.
    blank_stddev: float = 3.0


@dataclass(frozen=True)
class PageImage:
    """One upright page, scaled for OCR; `scale` maps its pixels back to the file's (divide by it)."""

    number: int
    image: Image.Image
    scale: float


class UnreadableImage(Exception):
    """An image file no page can be read from; the message is the reason a person reads."""


def page_images(path: Path, data: bytes, limits: ImageLimits, max_pages: int) -> list[PageImage]:
    """The non-blank pages of an image file (one, or several in a TIFF), upright and scaled for OCR.
    Raises UnreadableImage when the file is not an image, is over a limit, or every page is blank."""
    try:
        with warnings.catch_warnings():  # our own pixel limit applies, below Pillow's bomb warning
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:  # Pillow's own limit, at twice its warning size
        raise UnreadableImage(f"{path}: over {limits.max_pixels // 1_000_000} megapixels ({exc}); not read") from None
    except Exception as exc:  # Pillow raises several types for a file that is not an image it knows
        raise UnreadableImage(f"{path}: not a readable image ({type(exc).__name__}: {exc})") from None
    pages, blank = [], 0
    try:
        for number, frame in enumerate(ImageSequence.Iterator(image), 1):
            if number > max_pages:
                raise UnreadableImage(f"{path}: over {max_pages} pages; not read")
            page = _upright_page(path, frame, number, limits)
            if _is_blank(page.image, limits):
                blank += 1
            else:
                pages.append(page)
    except UnreadableImage:
        raise
    except Exception as exc:  # truncated or corrupt pixel data shows only when decoded
        raise UnreadableImage(f"{path}: corrupt image data ({type(exc).__name__}: {exc})") from None
    if not pages:
        raise UnreadableImage(f"{path}: blank image ({blank} page{'s' * (blank != 1)} without any ink)")
    return pages


def _upright_page(path: Path, frame: Image.Image, number: int, limits: ImageLimits) -> PageImage:
    width, height = frame.size
    if width * height > limits.max_pixels:
        raise UnreadableImage(
            f"{path}: page {number} is {width} x {height} px, over the limit of "
            f"{limits.max_pixels // 1_000_000} megapixels; not read"
        )
    if min(width, height) < limits.min_side:
        raise UnreadableImage(f"{path}: page {number} is {width} x {height} px, too small to read")
    if frame.format == "JPEG":  # decode at a reduced size straight away: a 50 MP photo needs 1/4 of it
        frame.draft("RGB", (limits.ocr_long_side, limits.ocr_long_side))
    upright = ImageOps.exif_transpose(frame)
    rgb = _rgb(upright)
    scale = min(1.0, limits.ocr_long_side / max(rgb.size))
    if scale < 1.0:
        rgb = rgb.resize((round(rgb.width * scale), round(rgb.height * scale)), Image.Resampling.LANCZOS)
    # Against the file's own size (a JPEG draft may have decoded it smaller), so boxes map back to it.
    return PageImage(number, rgb, max(rgb.size) / max(width, height))


def _rgb(image: Image.Image) -> Image.Image:
    """RGB on white: a transparent PNG's text would otherwise sit on black."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.point(lambda v: v / 256).convert("L").convert("RGB")
    return image.convert("RGB")


def _is_blank(image: Image.Image, limits: ImageLimits) -> bool:
    return ImageStat.Stat(image.convert("L")).stddev[0] < limits.blank_stddev


def jpeg_bytes(image: Image.Image, quality: int = 85) -> bytes:
    """A page as JPEG, the way it is sent to a model that reads images."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()
