"""Where archive packages are kept: Django's "archives" storage (settings.STORAGES).

By default a folder, ARCHIVE_ROOT, private to the portal's user (files 0600, the folder 0700);
ARCHIVE_STORAGE_BACKEND, or S3_BUCKET for every store, puts them on an object store."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class ArchiveStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.ARCHIVE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def archive_storage():
    return storages["archives"]


def workspace() -> Path:
    """The local folder a package is written in before it is stored."""
    folder = Path(settings.ARCHIVE_ROOT) / "building"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder
