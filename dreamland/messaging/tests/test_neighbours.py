"""Alt+J / Alt+K: the conversations above and below the open one, in the list's order, read off
the rows of the list beside it (loaded once the thread is shown) or looked up on a key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from dreamland.clients.models import Client
from dreamland.messaging.selectors import (
    InboxFilters,
    current_lead,
    inbox_neighbours,
    inbox_page,
)
from dreamland.messaging.tests.factories import conversation

pytestmark = pytest.mark.django_db


def _listed(make_client: Any, agent: Any, other_agent: Any, n: int) -> list[Any]:
    """n visible conversations, pairs sharing a timestamp (the id breaks the tie), with another
    agent's conversation between each pair that must never be a neighbour."""
    now = timezone.now()
    clients = []
    for i in range(n):
        at = now - timedelta(seconds=i // 2)
        clients.append(conversation(make_client, agent=agent, last_at=at)[0])
        conversation(make_client, agent=other_agent, last_at=at)
    order = [row.client.pk for row in inbox_page(agent, InboxFilters(), size=n).rows]
    assert sorted(order) == sorted(c.pk for c in clients)
    return order


def test_neighbours_follow_the_list_order(make_client: Any, agent: Any, other_agent: Any) -> None:
    order = _listed(make_client, agent, other_agent, 8)
    for at, client_id in enumerate(order):
        lead = current_lead(Client.objects.get(pk=client_id))
        assert lead is not None
        expected = (order[at - 1] if at else None, order[at + 1] if at + 1 < len(order) else None)
        assert inbox_neighbours(agent, InboxFilters(), lead) == expected


def test_the_list_beside_a_conversation_marks_it_between_its_neighbours(
    make_client: Any, agent: Any, other_agent: Any
) -> None:
    order = _listed(make_client, agent, other_agent, 3)
    http = HttpClient()
    http.force_login(agent)
    html = http.get(f"/inbox/{order[1]}/").content.decode()
    assert f'hx-get="/inbox/?part=list&amp;active={order[1]}"' in html
    listed = http.get("/inbox/", {"part": "list", "active": order[1]}, HTTP_HX_REQUEST="true")
    rows = [row.client_id for row in listed.context["page"].rows]
    assert rows == order and [row.active for row in listed.context["page"].rows] == [
        False,
        True,
        False,
    ]


def test_the_page_asks_for_its_neighbours_on_a_key(
    make_client: Any, agent: Any, other_agent: Any
) -> None:
    order = _listed(make_client, agent, other_agent, 3)
    http = HttpClient()
    http.force_login(agent)
    html = http.get(f"/inbox/{order[1]}/").content.decode()
    assert f'data-neighbours="/inbox/{order[1]}/?part=neighbours"' in html
    found = http.get(f"/inbox/{order[1]}/", {"part": "neighbours"}).json()
    assert found == {"prev": f"/inbox/{order[0]}/", "next": f"/inbox/{order[2]}/"}
