"""Alt+J / Alt+K: the conversations above and below the open one, in the list's order, whether
read off the list beside it or looked up past its first page."""

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
    neighbours_on_page,
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


def test_neighbours_follow_the_list_order_in_and_past_its_first_page(
    make_client: Any, agent: Any, other_agent: Any
) -> None:
    order = _listed(make_client, agent, other_agent, 8)
    first = inbox_page(agent, InboxFilters(), size=5)
    for at, client_id in enumerate(order):
        lead = current_lead(Client.objects.get(pk=client_id))
        assert lead is not None
        expected = (order[at - 1] if at else None, order[at + 1] if at + 1 < len(order) else None)
        assert inbox_neighbours(agent, InboxFilters(), lead) == expected  # looked up
        on_page = neighbours_on_page(lead, first)  # rows but the page's last: read off it
        assert on_page == (expected if at < 4 else None)


def test_a_conversation_in_the_list_costs_no_neighbour_query(
    make_client: Any, agent: Any, other_agent: Any, django_assert_num_queries: Any
) -> None:
    order = _listed(make_client, agent, other_agent, 3)
    page = inbox_page(agent, InboxFilters())
    lead = current_lead(Client.objects.get(pk=order[1]))
    assert lead is not None
    with django_assert_num_queries(0):
        assert neighbours_on_page(lead, page) == (order[0], order[2])


def test_the_page_links_its_neighbours(make_client: Any, agent: Any, other_agent: Any) -> None:
    order = _listed(make_client, agent, other_agent, 3)
    http = HttpClient()
    http.force_login(agent)
    html = http.get(f"/inbox/{order[1]}/").content.decode()
    assert f'data-prev="/inbox/{order[0]}/"' in html
    assert f'data-next="/inbox/{order[2]}/"' in html
