"""A content upload, as `{relative file name: bytes}`: several YAML files, or one zip.

Zip archives are opened in memory and never extracted to disk, yet treated as hostile: member
count, unpacked sizes (read with a bound, whatever the archive declares) and names are checked.
Names are kept as the archive has them: zip a folder's contents (`cd content && zip -r ../c.zip .`)
and problems name files as `lupiae content validate content/` does.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib

from fastapi import UploadFile

from content.sources import MAX_FILES, MAX_TOTAL_BYTES, SUFFIXES
from content.yamlio import MAX_FILE_BYTES
from game_server.kit.errors import DomainError, Unprocessable

MAX_ARCHIVE_MEMBERS = 2 * MAX_FILES
_DRIVE = re.compile(r"^[A-Za-z]:")


class UploadRefused(Unprocessable):
    slug = "upload-refused"


class UploadTooLarge(DomainError):
    status = 413
    slug = "upload-too-large"


async def read_upload(files: list[UploadFile]) -> dict[str, bytes]:
    if len(files) == 1 and (files[0].filename or "").lower().endswith(".zip"):
        return unzip(await files[0].read())
    if len(files) > MAX_FILES:
        raise UploadTooLarge(f"{len(files)} files, the limit is {MAX_FILES}")
    uploaded: dict[str, bytes] = {}
    for file in files:
        name = safe_name(file.filename or "")
        if name in uploaded:
            raise UploadRefused(f"two files are named {name!r}")
        uploaded[name] = await file.read()
    return uploaded


def safe_name(name: str) -> str:
    """A relative POSIX path inside the bundle; refuse anything that could point outside it."""
    if not name or "\x00" in name or "\\" in name or len(name) > 255:
        raise UploadRefused(f"{name!r} is not an acceptable file name")
    if name.startswith("/") or _DRIVE.match(name):
        raise UploadRefused(f"{name!r} is an absolute path; use names relative to the bundle")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        raise UploadRefused(f"{name!r} points outside the bundle")
    return posixpath.join(*parts)


def unzip(data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _members(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise UploadRefused(f"the zip archive cannot be read: {exc}") from exc


def _members(archive: zipfile.ZipFile) -> dict[str, bytes]:
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise UploadTooLarge(
            f"the archive has {len(infos)} members, the limit is {MAX_ARCHIVE_MEMBERS}"
        )
    names = {info.filename: safe_name(info.filename) for info in infos}
    files: dict[str, bytes] = {}
    total = 0
    for info in infos:
        name = names[info.filename]
        if not _is_content(name):
            continue
        with archive.open(info) as member:
            data = member.read(MAX_FILE_BYTES + 1)  # never trust the declared size
        if len(data) > MAX_FILE_BYTES:
            raise UploadTooLarge(f"{name} unpacks to more than 1 MiB, the limit for one file")
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise UploadTooLarge("the archive unpacks to more than 16 MiB, the limit for a bundle")
        files[name] = data
    return files


def _is_content(name: str) -> bool:
    hidden = any(part.startswith((".", "__")) for part in name.split("/"))  # .git, __MACOSX
    return name.endswith(SUFFIXES) and not hidden
