"""Limits on what a request may send: bodies capped before they are read, and no NUL
characters in form fields or query strings.

The cap is checked against the declared length before anything is read, so a 300 MB body is
answered 413 at once; of a body sent in chunks with no declared length, at most one byte past
the cap is read before the 413 (Werkzeug alone would cut it off at the cap and pass on the
truncated body). Upload forms get their own, larger caps. A NUL character is
never meaningful in a form field and PostgreSQL refuses to store one.
"""

from __future__ import annotations

import io

from flask import Flask, abort, request

# Room for a multipart form's boundaries and small fields, beside its file.
FORM_OVERHEAD = 64 * 1024


def register_body_limits(server: Flask, default_bytes: int, endpoint_bytes: dict[str, int]) -> None:
    """Cap every body at ``default_bytes``; the endpoints named in ``endpoint_bytes`` at theirs.

    Register this before any hook that reads the body (the CSRF check reads the form)."""
    server.config["MAX_CONTENT_LENGTH"] = default_bytes

    @server.before_request
    def cap_body():
        larger = endpoint_bytes.get(request.endpoint or "")
        if larger is not None:
            request.max_content_length = larger
        declared, cap = request.content_length, request.max_content_length
        if cap is None:
            return
        if declared is None and request.environ.get("wsgi.input_terminated"):
            body = _read_up_to(request.environ["wsgi.input"], cap + 1)
            request.environ["wsgi.input"], request.environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
            declared = len(body)
        if declared is not None and declared > cap:
            abort(413, description=f"The request is larger than this address accepts ({_size(cap)}).")


def register_nul_check(server: Flask) -> None:
    """Refuse a NUL character in any query parameter or form field with a 400 naming the field."""

    @server.before_request
    def refuse_nul():
        sources = [request.args]
        if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sources.append(request.form)
        for values in sources:
            for name, value in values.items(multi=True):
                if "\x00" in name or "\x00" in value:
                    shown = name.replace("\x00", "\\0")[:40]
                    abort(400, description=f"The field '{shown}' contains a NUL character, which is never valid.")
        for upload in request.files.values() if len(sources) > 1 else ():
            if "\x00" in (upload.filename or ""):
                abort(400, description="The file's name contains a NUL character, which is never valid.")


def _read_up_to(stream, limit: int) -> bytes:
    parts, size = [], 0
    while size < limit:
        part = stream.read(min(64 * 1024, limit - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:.1f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"
