from __future__ import annotations

from typing import Any

import pytest

from dreamland.whatsapp.tests.helpers import APP_SECRET


@pytest.fixture(autouse=True)
def whatsapp_settings(settings: Any) -> Any:
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = "my-verify-token"
    settings.WHATSAPP_ACCESS_TOKEN = ""
    settings.WHATSAPP_PHONE_NUMBER_ID = ""
    settings.WHATSAPP_API_BASE = "https://graph.test/v23.0"
    return settings
