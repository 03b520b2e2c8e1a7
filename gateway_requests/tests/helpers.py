"""Shared pieces of the gateway tests: images made with Pillow, signed-in clients."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import User
from accounts.testing import sign_in_with_second_factor


def image_bytes(fmt: str, size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def png(name: str = "logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def renamed_jpeg(name: str = "logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG"), content_type="image/png")


def big_png(name: str = "logo.png") -> SimpleUploadedFile:
    """A real PNG over 1 MB (random pixels do not compress)."""
    import os

    raw = os.urandom(700 * 700 * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (700, 700), raw).save(buffer, format="PNG")
    data = buffer.getvalue()
    assert len(data) > 1024 * 1024
    return SimpleUploadedFile(name, data, content_type="image/png")


def signed_in(user: User) -> Client:
    client = Client()
    sign_in_with_second_factor(client, user)
    return client
