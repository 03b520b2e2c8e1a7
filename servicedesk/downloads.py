"""A stored file of a request or a ticket as a download: the headers that keep it
from being sniffed, cached or named dangerously (as mailbox.downloads)."""

from django.http import FileResponse

from mailbox.downloads import content_disposition

from .models import StoredFile


def file_response(item: StoredFile) -> FileResponse:
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = content_disposition(item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
