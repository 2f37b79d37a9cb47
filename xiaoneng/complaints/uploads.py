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
