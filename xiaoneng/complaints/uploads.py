"""Checking attachments by their content, never by their name or the type the browser claims.

- The type is sniffed from the first bytes (`filetype`): JPEG, PNG, WebP, GIF images and PDF only.
- Images are decoded by Pillow with a pixel limit (decompression bombs are refused before decoding) and
  re-encoded without metadata: EXIF carries GPS positions and camera owners, which would identify a
  complainant who asked to stay anonymous.
- PDFs are parsed by pypdf; encrypted files and files with JavaScript, launch actions, embedded files or
  XFA forms are refused.
Each refusal names the file and the reason (a DomainError on field "attachments").
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import filetype
from PIL import Image

from xiaoneng.core.errors import DomainError

from .conf import cfg

ALLOWED = {
    "image/jpeg": ("jpg", "JPEG"),
    "image/png": ("png", "PNG"),
    "image/webp": ("webp", "WEBP"),
    "image/gif": ("gif", "GIF"),
    "application/pdf": ("pdf", None),
}
_PDF_DANGER = ("/JavaScript", "/JS", "/Launch", "/EmbeddedFiles", "/XFA", "/RichMedia", "/AA")


@dataclass
class CleanFile:
    name: str
    content: bytes
    content_type: str
    ext: str
    sha256: str


def _refuse(name: str, reason: str) -> DomainError:
    return DomainError(f"附件“{name[:60]}”{reason}", field="attachments", code="bad_attachment")


def _clean_image(name: str, data: bytes, fmt: str) -> bytes:
    limit = cfg("MAX_IMAGE_PIXELS")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != fmt:
                    raise _refuse(name, "的内容与图片格式不符。")
                w, h = probe.size
                if w * h > limit:
                    raise _refuse(name, f"分辨率过大（{w}×{h}），请缩小后再上传。")
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                    img = img.convert("RGB")
                # A new image from the pixels alone: EXIF, XMP, ICC and text chunks stay behind.
                clean = Image.frombytes(img.mode, img.size, img.tobytes())
                extra: dict = {"quality": 90} if fmt == "JPEG" else {}
                if img.mode == "P":
                    clean.putpalette(img.getpalette() or [])
                    if isinstance(img.info.get("transparency"), int):
                        extra["transparency"] = img.info["transparency"]
                out = io.BytesIO()
                clean.save(out, fmt, **extra)
                return out.getvalue()
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(name, "分辨率过大，请缩小后再上传。") from None
    except Exception:  # noqa: BLE001  any decoder failure means the file is not the image it claims to be
        raise _refuse(name, "已损坏或不是有效的图片。") from None


def _walk_actions(obj, depth=0) -> bool:
    """True when a PDF dictionary (or anything under it, a few levels deep) names a dangerous action."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 6:
        return False
    if isinstance(obj, IndirectObject):
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in _PDF_DANGER:
                return True
            if key == "/S" and str(value) in ("/JavaScript", "/Launch", "/ImportData"):
                return True
            if key in ("/Parent", "/P", "/Resources", "/Contents"):
                continue
            if _walk_actions(value, depth + 1):
                return True
    elif isinstance(obj, ArrayObject):
        return any(_walk_actions(v, depth + 1) for v in obj)
    return False


def _check_pdf(name: str, data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    for marker in (b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/XFA", b"/RichMedia"):
        if marker in data:
            raise _refuse(name, "包含脚本、嵌入文件或自动执行的动作，出于安全原因不予接收。")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _refuse(name, "已加密，请上传未加密的 PDF。")
        if _walk_actions(reader.trailer["/Root"]):
            raise _refuse(name, "包含脚本或自动执行的动作，出于安全原因不予接收。")
        for page in reader.pages[:200]:
            if _walk_actions(page.get("/AA")) or _walk_actions(page.get("/Annots")):
                raise _refuse(name, "包含脚本或自动执行的动作，出于安全原因不予接收。")
        if len(reader.pages) == 0:
            raise _refuse(name, "没有页面。")
    except DomainError:
        raise
    except (PdfReadError, Exception):  # noqa: BLE001  a file pypdf cannot parse is not a PDF we accept
        raise _refuse(name, "已损坏或不是有效的 PDF 文件。") from None


def clean_uploads(files) -> list[CleanFile]:
    """Check every uploaded file (Django UploadedFile or (name, bytes) pairs). All or nothing: the first bad
    file raises DomainError naming it and the reason."""
    files = list(files or [])
    if len(files) > cfg("MAX_FILES"):
        raise DomainError(f"附件最多 {cfg('MAX_FILES')} 个。", field="attachments", code="too_many_files")
    limit = cfg("MAX_FILE_MB") * 1024 * 1024
    out: list[CleanFile] = []
    for f in files:
        if isinstance(f, tuple):
            name, data = f
        else:
            name = f.name or "附件"
            if f.size is not None and f.size > limit:
                raise _refuse(name, f"超过 {cfg('MAX_FILE_MB')} MB，请压缩后再上传。")
            data = f.read(limit + 1)
        name = (name or "附件").replace("\\", "/").rsplit("/", 1)[-1][:120] or "附件"
        if len(data) > limit:
            raise _refuse(name, f"超过 {cfg('MAX_FILE_MB')} MB，请压缩后再上传。")
        if not data:
            raise _refuse(name, "是空文件。")
        kind = filetype.guess(data[:8192])
        mime = kind.mime if kind else ""
        if mime not in ALLOWED:
            raise _refuse(name, "的类型不被接受：只接受 JPG、PNG、WebP、GIF 图片和 PDF 文件（按文件内容判断）。")
        ext, fmt = ALLOWED[mime]
        if fmt:
            data = _clean_image(name, data, fmt)
        else:
            _check_pdf(name, data)
        out.append(CleanFile(name=name, content=data, content_type=mime, ext=ext,
                             sha256=hashlib.sha256(data).hexdigest()))
    return out


PUBLIC_IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
_METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop", "iptc")


def image_has_metadata(data: bytes) -> bool:
    """True when a stored image still carries metadata (EXIF, XMP, ICC, comments) or cannot be read: checked
    again before an image is made public, whatever path stored it, because EXIF GPS and camera owner fields
    identify the person who took the photo."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            if len(img.getexif()):
                return True
            return any(k in img.info for k in _METADATA_KEYS) or any(
                k.lower().startswith(("exif", "xmp", "xml:")) for k in img.info if isinstance(k, str))
    except Exception:  # noqa: BLE001  unreadable is not publishable
        return True
