"""The signed document of an agreement: which files are accepted, checked by their content.

A name ending in .pdf says nothing about what a file is, so each accepted type is also
recognised by its first bytes (and, for the zipped office formats, by what the zip holds).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
CONTENT_TYPES = {".pdf": PDF, ".docx": DOCX, ".odt": ODT}
ACCEPTED = "PDF, Word (.docx) or OpenDocument text (.odt)"


@dataclass(frozen=True)
class Document:
    name: str
    content_type: str
    content: bytes


def max_bytes() -> int:
    return settings.ISA_DOCUMENT_MAX_BYTES


def _zip_names(content: bytes) -> set[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return set(archive.namelist())
    except Exception:  # a damaged zip fails in many ways: BadZipFile, NotImplementedError, ...
        return None


def _odt_mimetype(content: bytes) -> bytes:
    try:
        with (
            zipfile.ZipFile(io.BytesIO(content)) as archive,
            archive.open("mimetype") as part,
        ):
            # Only the start is read: the part could unpack to gigabytes.
            return part.read(100).strip()
    except Exception:  # encrypted, damaged, or packed in a way zipfile cannot read
        return b""


def _content_matches(content_type: str, content: bytes) -> bool:
    if content_type == PDF:
        return content.startswith(b"%PDF-")
    if not content.startswith(b"PK\x03\x04"):
        return False
    names = _zip_names(content)
    if names is None:
        return False
    if content_type == DOCX:
        return "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)
    return "mimetype" in names and _odt_mimetype(content) == ODT.encode()


def read_document(upload: UploadedFile) -> Document:
    """The upload as a document to store, or a ValidationError that says what to do."""
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None:
        raise ValidationError(f"The signed document must be a {ACCEPTED} file.")
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            f"The signed document must be smaller than {limit // (1024 * 1024)} MB."
        )
    if upload.size == 0:
        raise ValidationError("The signed document is empty.")
    content = upload.read()
    if not _content_matches(content_type, content):
        raise ValidationError(
            f"The signed document is not a real {extension[1:].upper()} file. "
            f"Upload the document as a {ACCEPTED} file."
        )
    return Document(name=name[:200], content_type=content_type, content=content)
