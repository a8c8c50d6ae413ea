"""Request bodies: JSON whatever the Content-Type says, and plain HTML form posts.

Website forms and quick `curl -d`/`-F` calls send form-encoded (or multipart, POST only)
bodies; reading those as one-value-per-field dicts lets them through the same schemas (strings
are coerced where a schema allows it). Anything else is parsed as JSON, so `text/plain` or a missing type still works.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest, QueryDict
from ninja.parser import Parser

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class JsonOrFormParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type == MULTIPART and request.method == "POST":
            return {key: request.POST.get(key) for key in request.POST}
        if request.content_type == FORM:
            # Parsed from the body: Django fills `request.POST` for POST only, not PATCH.
            form = QueryDict(request.body, encoding=request.encoding)
            return {key: form.get(key) for key in form}
        return cast(dict[str, Any], json.loads(request.body))
