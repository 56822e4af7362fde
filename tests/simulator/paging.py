"""Cursor pagination (page.limit, page.cursor) and sorting (sort.field, sort.order) for list operations."""

import base64
import binascii

from .errors import invalid

DEFAULT_PAGE_SIZE = 100


def encode_cursor(offset):
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, separator, number = text.partition(":")
        if prefix != "offset" or not separator or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid([("page.cursor", "is not a cursor this API returned")]) from None


def page(items, query, max_page_size, total=True):
    """One page of `items` as a list response: items, totalCount (unless `total` is false: not every list schema has it) and
    nextPageCursor while more remain."""
    raw_limit = (query.get("page.limit") or "").strip()
    if not raw_limit:
        limit = DEFAULT_PAGE_SIZE
    else:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise invalid([("page.limit", f"must be an integer, got {raw_limit!r}")]) from None
        if limit < 0:
            raise invalid([("page.limit", "must not be negative")])
        limit = limit or DEFAULT_PAGE_SIZE
    limit = min(limit, max_page_size)
    cursor = query.get("page.cursor") or ""
    offset = decode_cursor(cursor) if cursor else 0
    chunk = items[offset : offset + limit]
    answer = {"items": chunk, "totalCount": len(items)} if total else {"items": chunk}
    if offset + limit < len(items):
        answer["nextPageCursor"] = encode_cursor(offset + limit)
    return answer


def field_value(record, path):
    """The value at a dotted field path of a JSON object, None when any part is missing."""
    for name in path.split("."):
        if not isinstance(record, dict):
            return None
        record = record.get(name)
    return record


def sort_records(records, query, allowed_fields, value_of):
    """Sort records by the field named in sort.field (a dotted path for nested fields; ASC by default); unknown fields are a 400.
    Records without a value for the field come last."""
    sort_field = (query.get("sort.field") or "").strip()
    descending = (query.get("sort.order") or "ASC").upper() == "DESC"
    if not sort_field:
        return list(reversed(records)) if descending else list(records)
    if sort_field not in allowed_fields:
        raise invalid(
            [("sort.field", f"cannot sort by {sort_field!r}; use one of: {', '.join(sorted(allowed_fields))}")]
        )

    def key(record):
        return field_value(value_of(record), sort_field)

    present = [record for record in records if key(record) is not None]
    missing = [record for record in records if key(record) is None]
    present.sort(key=key, reverse=descending)
    return present + missing
