"""Opaque keyset cursors: the ``(created_at, id)`` of the last item of a page, base64url JSON."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from memcubedb.api.server.errors import ApiError


def encode_cursor(created_at: datetime, item_id: str) -> str:
    """The cursor after an item created at ``created_at`` with id ``item_id``."""
    raw = json.dumps([created_at.isoformat(), item_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The ``(created_at, id)`` key inside a cursor.

    Raises:
        ApiError: 422 when the cursor was not made by :func:`encode_cursor`.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, item_id = json.loads(raw)
        moment = datetime.fromisoformat(stamp)
        if not isinstance(item_id, str) or moment.tzinfo is None:
            raise ValueError("bad cursor")
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise ApiError(422, "query.cursor: not a cursor returned by this API", "validation") from None
    return moment, item_id
