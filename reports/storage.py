"""Where built exports are kept: Django's "bundles" storage (settings.STORAGES).

By default a folder, REPORT_BUNDLE_ROOT, private to the portal's user (files 0600, the folder
0700), read when used so that a test can move it; REPORT_BUNDLE_STORAGE_BACKEND puts them
elsewhere (an S3-compatible object store: docs/operations.md).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class BundleStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.REPORT_BUNDLE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def bundle_storage():
    return storages["bundles"]
