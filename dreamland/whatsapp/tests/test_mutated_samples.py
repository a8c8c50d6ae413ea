"""Every field of every recorded Meta sample, replaced by a wrong type or an odd value, still
gets a 200 and an event that is not `failed` (a failed event is retried and never applied)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tests.helpers import FIXTURES, SHARED, post_raw

pytestmark = pytest.mark.django_db

ODD_VALUES: list[Any] = [None, [], {}, 5, "x\u0000", -1.5, True, "9" * 300]
SAMPLE_DIR = SHARED if SHARED.exists() else FIXTURES
SAMPLES = sorted(
    path.name
    for path in SAMPLE_DIR.glob("*.json")
    if '"whatsapp_business_account"' in path.read_text(encoding="utf-8")
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, child in items:
        found.append((*prefix, key))
        found += paths(child, (*prefix, key))
    return found


def replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    body = copy.deepcopy(body)
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return body


def test_the_samples_are_there() -> None:
    assert len(SAMPLES) >= 5


@pytest.mark.parametrize("name", SAMPLES)
def test_a_mutated_sample_is_acknowledged_and_never_fails(client: HttpClient, name: str) -> None:
    base = json.loads((SAMPLE_DIR / name).read_bytes())
    broken = []
    for path in paths(base):
        for value in ODD_VALUES:
            response = post_raw(client, json.dumps(replaced(base, path, value)).encode())
            event = WebhookEvent.objects.order_by("-pk").first()
            if response.status_code != 200 or event is None or event.status == EventStatus.FAILED:
                broken.append((path, value, response.status_code, event and event.last_error))
    assert not broken, broken[:10]
