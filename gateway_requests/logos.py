"""A system's logo: a PNG by its content (opened with Pillow), at most 1 MB."""

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from .constants import LOGO_MAX_BYTES
from .exceptions import LogoRefused


def check_logo(upload: UploadedFile) -> None:
    """Raise LogoRefused unless `upload` is a PNG image (whatever its name says) of
    at most LOGO_MAX_BYTES. A renamed JPEG is refused."""
    if upload.size is None or upload.size > LOGO_MAX_BYTES:
        raise LogoRefused
    if upload.size == 0:
        raise LogoRefused
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format != "PNG":
                raise LogoRefused
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise LogoRefused from exc
    finally:
        upload.seek(0)
