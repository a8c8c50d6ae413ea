from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dreamland.leads.services import (
    conversation_mark_read,
    lead_assign,
    lead_create,
    lead_update,
)
from dreamland.lib.errors import RuleViolation

pytestmark = pytest.mark.django_db


def test_round_robin_spreads_new_leads_over_active_agents(
    make_client, agent, other_agent, settings
):
    settings.LEAD_ROUND_ROBIN = True
    owners = [lead_create(client=make_client()).assigned_agent for _ in range(4)]
    assert owners == [agent, other_agent, agent, other_agent]


def test_without_round_robin_a_new_lead_stays_unassigned(make_client, agent, settings):
    settings.LEAD_ROUND_ROBIN = False
    assert lead_create(client=make_client()).assigned_agent is None


def test_a_returning_client_goes_back_to_their_agent(make_client, agent, other_agent, settings):
    settings.LEAD_ROUND_ROBIN = True
    client = make_client()
    lead_create(client=client, assigned_agent=other_agent)
    assert lead_create(client=client).assigned_agent == other_agent


def test_a_returning_client_of_a_departed_agent_goes_round_robin(
    make_client, agent, other_agent, settings
):
    settings.LEAD_ROUND_ROBIN = True
    client = make_client()
    lead_create(client=client, assigned_agent=other_agent)
    other_agent.is_active = False
    other_agent.save()
    assert lead_create(client=client).assigned_agent == agent


def test_manual_assignment_and_unassignment(make_client, agent, other_agent):
    lead = lead_create(client=make_client(), assigned_agent=agent)
    assert lead_assign(lead=lead, agent=other_agent).assigned_agent == other_agent
    assert lead_assign(lead=lead, agent=None).assigned_agent is None


def test_an_inactive_user_cannot_be_assigned(make_client, agent, other_agent):
    lead = lead_create(client=make_client(), assigned_agent=agent)
    other_agent.is_active = False
    other_agent.save()
    with pytest.raises(RuleViolation, match="cannot be assigned leads") as exc:
        lead_assign(lead=lead, agent=other_agent)
    assert exc.value.code == "invalid_agent"
    lead.refresh_from_db()
    assert lead.assigned_agent == agent


def test_the_assigned_agent_opening_the_chat_resets_unread(make_client, agent, other_agent):
    lead = lead_create(client=make_client(), assigned_agent=agent)
    type(lead).objects.filter(pk=lead.pk).update(unread_messages_count=3)
    lead.refresh_from_db()
    conversation_mark_read(user=other_agent, lead_id=lead.pk)
    lead.refresh_from_db()
    assert lead.unread_messages_count == 3
    conversation_mark_read(user=agent, lead_id=lead.pk)
    lead.refresh_from_db()
    assert lead.unread_messages_count == 0


def test_lead_update_sets_interest_and_applies_the_status_rules(make_client, make_tour, agent):
    lead = lead_create(client=make_client(), auto_assign=False)
    tour = make_tour()
    lead = lead_update(lead=lead, tour_interest=tour, status="contacted", assigned_agent=agent)
    lead.refresh_from_db()
    assert (lead.tour_interest, lead.status, lead.assigned_agent) == (tour, "contacted", agent)
    with pytest.raises(RuleViolation) as exc:
        lead_update(lead=lead, status="new")
    assert exc.value.code == "illegal_transition"
    lead.refresh_from_db()
    assert lead.status == "contacted"


def test_lead_update_refuses_unknown_fields_and_sources(make_client):
    lead = lead_create(client=make_client(), auto_assign=False)
    with pytest.raises(ValidationError):
        lead_update(lead=lead, unread_messages_count=0)
    with pytest.raises(ValidationError):
        lead_update(lead=lead, source="telegram")
