"""Complaint attachments go through the platform's one content-checked upload path (core/uploads.py: types
sniffed from the bytes, images re-encoded without EXIF, PDFs walked for scripts and embedded files), with the
complaint centre's own limits (complaints.conf: MAX_FILES, MAX_FILE_MB, MAX_IMAGE_PIXELS)."""

from __future__ import annotations

from xiaoneng.core.uploads import (  # noqa: F401  the names complaints' modules and tests use
    ALLOWED,
    PDF_MAX_NESTING,
    PDF_MAX_OBJECTS,
    PUBLIC_IMAGE_TYPES,
    CleanFile,
    image_has_metadata,
)
from xiaoneng.core.uploads import clean_uploads as _clean_uploads

from .conf import cfg


def clean_uploads(files) -> list[CleanFile]:
    """Check every uploaded attachment of a complaint (Django UploadedFile or (name, bytes) pairs). All or
    nothing: the first bad file raises DomainError on "attachments" naming it and the reason."""
    return _clean_uploads(files, max_files=cfg("MAX_FILES"), max_file_mb=cfg("MAX_FILE_MB"),
                          max_image_pixels=cfg("MAX_IMAGE_PIXELS"))
"""Checking attachments by their content, never by their name or the type the browser claims.

- The type is sniffed from the first bytes (`filetype`): JPEG, PNG, WebP, GIF images and PDF only.
- Images are decoded by Pillow with a pixel limit (decompression bombs are refused before decoding) and
  re-encoded without metadata: EXIF carries GPS positions and camera owners, which would identify a
  complainant who asked to stay anonymous.
- PDFs are parsed by pypdf and every object is walked (bounded, cycle-safe); encrypted files and files with
  scripts, launch, URI, submit-form, import or remote go-to actions, embedded files, XFA forms, rich media or
  3D are refused, whether the name is spelt out, #-escaped or hidden in a compressed object stream.
Each refusal names the file and the reason (a DomainError on field "attachments").
"""

from __future__ import annotations

import hashlib
import io
import re
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


# What a PDF may not carry, by the name that says it. The walk below meets names as pypdf decodes them, so a
# `#`-escaped name (/J#61vaScript) is /JavaScript there. Each finding has the words of its refusal.
_ACTIONS = {  # values of an action's /S
    "/JavaScript": "脚本（JavaScript）", "/Rendition": "脚本或多媒体动作", "/Launch": "启动外部程序的动作",
    "/URI": "外部链接", "/SubmitForm": "向外部地址提交表单的动作", "/ImportData": "导入外部数据的动作",
    "/GoToR": "跳转到其他文件的动作", "/GoToE": "跳转到其他文件的动作", "/RichMediaExecute": "多媒体动作",
    "/Movie": "多媒体动作", "/Sound": "多媒体动作",
}
_KEYS = {  # dictionary keys that are dangerous whatever their value
    "/JS": "脚本（JavaScript）", "/JavaScript": "脚本（JavaScript）", "/EmbeddedFiles": "嵌入文件",
    "/EF": "嵌入文件", "/XFA": "XFA 动态表单", "/RichMediaContent": "多媒体内容", "/RichMediaSettings": "多媒体内容",
}
_TYPES = {  # values of /Type or /Subtype
    "/EmbeddedFile": "嵌入文件", "/FileAttachment": "嵌入文件", "/RichMedia": "多媒体内容",
    "/Movie": "多媒体内容", "/Sound": "多媒体内容", "/3D": "3D 内容（可含脚本）",
}
_DANGEROUS_NAMES = {*_ACTIONS, *_KEYS, *_TYPES}
# Bounds of the walk: objects visited and nesting of direct objects. A real complaint attachment (a scan, a
# letter, a form) has some thousands of objects; a file past these is refused rather than checked for long.
PDF_MAX_OBJECTS = 200_000
PDF_MAX_NESTING = 100
# A PDF name token in the raw bytes, to decode its #xx escapes (names in uncompressed objects that no
# dictionary of the parsed file points to are still found this way).
_RAW_NAME = re.compile(rb"/[^\s/<>\[\](){}%]*#[^\s/<>\[\](){}%]*")
_RAW_MARKERS = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/XFA", b"/RichMedia", b"/SubmitForm",
                b"/ImportData", b"/GoToR", b"/GoToE", b"/URI", b"/FileAttachment", b"/Rendition")


class _TooComplex(Exception):
    pass


def _raw_finding(data: bytes) -> str | None:
    """A dangerous name spelt out or #-escaped anywhere in the file's uncompressed bytes."""
    for marker in _RAW_MARKERS:
        for m in re.finditer(re.escape(marker) + rb"(?=[\s/<>\[\](){}%]|$)", data):
            name = m.group(0).decode("latin-1")
            if name in _DANGEROUS_NAMES:
                return _ACTIONS.get(name) or _KEYS.get(name) or _TYPES.get(name)
    for m in _RAW_NAME.finditer(data):
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda h: bytes([int(h.group(1), 16)]), m.group(0)).decode("latin-1")
        if name in _DANGEROUS_NAMES:
            return _ACTIONS.get(name) or _KEYS.get(name) or _TYPES.get(name)
    return None


def _pdf_finding(reader) -> str | None:
    """Walk every object of the parsed file — from the trailer (catalog, OpenAction, AA of the catalog, pages,
    annotations and form fields, annotations' /A, /Next chains whether arrays or single dictionaries, the Names
    tree with JavaScript and EmbeddedFiles, AcroForm fields and their kids, outlines) and every object the
    cross-reference table lists even if nothing points to it — and return the first dangerous thing found.
    Iterative (a crafted nesting cannot exhaust the stack), each indirect object visited once (cycles end),
    and bounded by PDF_MAX_OBJECTS and PDF_MAX_NESTING (raises _TooComplex)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack: list[tuple[object, int]] = [(reader.trailer, 0)]
    for gen, table in getattr(reader, "xref", {}).items():
        stack.extend((IndirectObject(num, gen, reader), 0) for num in table)
    stack.extend((IndirectObject(num, 0, reader), 0) for num in getattr(reader, "xref_objStm", {}))
    visited = 0
    while stack:
        obj, depth = stack.pop()
        visited += 1
        if visited > PDF_MAX_OBJECTS or depth > PDF_MAX_NESTING:
            raise _TooComplex
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj, depth = obj.get_object(), 0  # a new object: its own nesting starts again
        if isinstance(obj, DictionaryObject):
            for k, v in obj.items():
                if k in _KEYS:
                    return _KEYS[k]
                if k == "/S" and isinstance(v, NameObject) and v in _ACTIONS:
                    return _ACTIONS[v]
                if k in ("/Type", "/Subtype") and isinstance(v, NameObject) and v in _TYPES:
                    return _TYPES[v]
                if k in ("/S", "/Type", "/Subtype"):
                    v = getattr(v, "get_object", lambda v=v: v)()  # an indirect name
                    if isinstance(v, NameObject) and (v in _ACTIONS if k == "/S" else v in _TYPES):
                        return (_ACTIONS if k == "/S" else _TYPES)[v]
                if isinstance(v, (DictionaryObject, ArrayObject, IndirectObject)):
                    stack.append((v, depth + 1))
        elif isinstance(obj, ArrayObject):
            stack.extend((v, depth + 1) for v in obj if isinstance(v, (DictionaryObject, ArrayObject,
                                                                        IndirectObject)))
    return None


def _check_pdf(name: str, data: bytes) -> None:
    """Refuse a PDF that is encrypted, broken, without pages, too complex to check, or that carries anything
    that acts by itself or reaches outside: scripts, launch, URI and submit-form actions, remote go-to and
    import actions, embedded files, XFA forms, rich media and 3D (see _pdf_finding)."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    def dangerous(what: str) -> DomainError:
        return _refuse(name, f"包含{what}，出于安全原因不予接收。请将其打印为新的 PDF 文件或截图后再上传。")

    found = _raw_finding(data)
    if found:
        raise dangerous(found)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise _refuse(name, "已加密，请上传未加密的 PDF。")
            found = _pdf_finding(reader)
            if found:
                raise dangerous(found)
            if len(reader.pages) == 0:
                raise _refuse(name, "没有页面。")
    except DomainError:
        raise
    except (_TooComplex, LimitReachedError, RecursionError):
        raise _refuse(name, "结构过于复杂（对象过多或嵌套过深），无法进行安全检查，请另存为新的 PDF 后再上传。") from None
    except Exception:  # noqa: BLE001  a file pypdf cannot parse is not a PDF we accept
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
