from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dreamland.leads.models import Lead, LeadStatus
from dreamland.leads.services import lead_create, lead_transition
from dreamland.lib.errors import RuleViolation

pytestmark = pytest.mark.django_db

FORWARD = [
    ("new", "contacted"),
    ("contacted", "qualified"),
    ("qualified", "quoted"),
    ("new", "quoted"),
    ("new", "qualified"),
    ("contacted", "quoted"),
]
BACKWARD = [
    ("contacted", "new"),
    ("qualified", "contacted"),
    ("quoted", "qualified"),
    ("quoted", "new"),
]


def _lead(make_client, status: str) -> Lead:
    lead = lead_create(client=make_client(), auto_assign=False)
    Lead.objects.filter(pk=lead.pk).update(status=status)
    lead.refresh_from_db()
    return lead


@pytest.mark.parametrize(("start", "target"), FORWARD)
def test_a_lead_moves_forward_along_the_pipeline_skipping_allowed(make_client, start, target):
    lead = lead_transition(lead=_lead(make_client, start), status=target)
    assert lead.status == target
    lead.refresh_from_db()
    assert lead.status == target


@pytest.mark.parametrize(("start", "target"), BACKWARD)
def test_a_lead_never_moves_back(make_client, start, target):
    lead = _lead(make_client, start)
    with pytest.raises(RuleViolation) as exc:
        lead_transition(lead=lead, status=target)
    assert str(exc.value) == f"A lead cannot move back from {start} to {target}."
    assert exc.value.code == "illegal_transition"
    assert exc.value.status_code == 422
    lead.refresh_from_db()
    assert lead.status == start


@pytest.mark.parametrize("start", ["new", "contacted", "qualified", "quoted"])
def test_any_open_lead_can_be_lost(make_client, start):
    assert lead_transition(lead=_lead(make_client, start), status="lost").status == "lost"


@pytest.mark.parametrize("start", ["new", "contacted", "qualified", "quoted"])
def test_won_is_reached_only_by_conversion(make_client, start):
    lead = _lead(make_client, start)
    with pytest.raises(RuleViolation, match="only by converting it to a booking") as exc:
        lead_transition(lead=lead, status=LeadStatus.WON)
    assert exc.value.code == "illegal_transition"
    lead.refresh_from_db()
    assert lead.status == start


@pytest.mark.parametrize("final", ["won", "lost"])
@pytest.mark.parametrize("target", ["new", "contacted", "qualified", "quoted", "lost", "won"])
def test_won_and_lost_are_final(make_client, final, target):
    lead = _lead(make_client, final)
    if target == final:
        assert lead_transition(lead=lead, status=target).status == final
        return
    with pytest.raises(RuleViolation, match=f"is {final}: won and lost leads are final") as exc:
        lead_transition(lead=lead, status=target)
    assert exc.value.code == "illegal_transition"
    lead.refresh_from_db()
    assert lead.status == final


def test_an_unknown_status_is_a_field_error(make_client):
    with pytest.raises(ValidationError) as exc:
        lead_transition(lead=_lead(make_client, "new"), status="archived")
    assert "status" in exc.value.message_dict
