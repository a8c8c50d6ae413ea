from __future__ import annotations

from typing import Any

import pytest

API = "https://graph.test/v23.0"
PHONE_NUMBER_ID = "106540352242922"


@pytest.fixture(autouse=True)
def whatsapp_settings(settings: Any) -> Any:
    settings.WHATSAPP_APP_SECRET = "kz_test_app_secret"
    settings.WHATSAPP_ACCESS_TOKEN = "test-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.WHATSAPP_API_BASE = API
    return settings
