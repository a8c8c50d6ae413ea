"""Tour interest from a new lead's first message: names and aliases in Russian, Kazakh, English;
only when exactly one tour fits; set end to end through the webhook."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.leads.models import Lead
from dreamland.tours.selectors import tour_from_text
from dreamland.whatsapp.testing import message_body, sign

pytestmark = pytest.mark.django_db
SECRET = "tour_interest_secret"


@pytest.fixture
def tours(make_tour: Any) -> dict[str, Any]:
    return {
        "kolsai": make_tour(name="Kolsai Lakes", aliases="Kolsai, Кольсай, Кольса, Көлсай"),
        "charyn": make_tour(name="Charyn Canyon", aliases="Charyn\nЧарын\nШарын"),
        "bao": make_tour(name="Big Almaty Lake", aliases="БАО"),
        "old": make_tour(name="Tamgaly", aliases="Тамгалы", active=False),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Здравствуйте! Хотим на Кольсай в субботу", "kolsai"),
        ("Көлсай турына бағасы қанша?", "kolsai"),
        ("Hi, how much is Kolsai lakes for 2?", "kolsai"),
        ("КОЛЬСАЙ", "kolsai"),
        ("Были на Кольсае в прошлом году", "kolsai"),
        ("Чарын на выходных есть?", "charyn"),
        ("Шарынға бару керек", "charyn"),
        ("charyn canyon tour please", "charyn"),
        ("Charyn-Canyon", "charyn"),
        ("Поездка на БАО", "bao"),
        ("Чарын или Кольсай — что лучше?", None),
        ("Здравствуйте, какие туры есть?", None),
        ("Прочарынить", None),
        ("Тамгалы", None),
        ("", None),
    ],
)
def test_exactly_one_tour_fits(tours: dict[str, Any], text: str, expected: str | None) -> None:
    found = tour_from_text(text)
    assert found == (tours[expected] if expected else None)


def _post(http: HttpClient, payload: dict[str, Any]) -> Any:
    raw = json.dumps(payload).encode()
    return http.post(
        "/webhooks/whatsapp",
        data=raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(raw, SECRET)},
    )


def test_a_new_leads_first_text_sets_its_tour_interest_through_the_webhook(
    client: HttpClient, tours: dict[str, Any], settings: Any
) -> None:
    settings.WHATSAPP_APP_SECRET = SECRET
    first = message_body(
        {"id": "wamid.first", "type": "text", "text": {"body": "Сколько стоит Көлсай?"}},
        wa_id="77015550101",
    )
    assert _post(client, first).status_code == 200
    lead = Lead.objects.get(client__phone="+77015550101")
    assert lead.tour_interest == tours["kolsai"]
    # A later message naming another tour does not change it (only the first message counts).
    later = message_body(
        {"id": "wamid.second", "type": "text", "text": {"body": "А Чарын?"}},
        wa_id="77015550101",
    )
    assert _post(client, later).status_code == 200
    lead.refresh_from_db()
    assert lead.tour_interest == tours["kolsai"]


def test_a_first_message_naming_no_single_tour_leaves_it_empty(
    client: HttpClient, tours: dict[str, Any], settings: Any
) -> None:
    settings.WHATSAPP_APP_SECRET = SECRET
    body = message_body(
        {"id": "wamid.x", "type": "text", "text": {"body": "Kolsai or Charyn?"}},
        wa_id="77015550102",
    )
    assert _post(client, body).status_code == 200
    assert Lead.objects.get(client__phone="+77015550102").tour_interest is None
