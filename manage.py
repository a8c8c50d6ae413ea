#!/usr/bin/env python
"""Django's command-line utility for Dreamland PRO."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dreamland.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A configuration mistake (bad DATABASE_URL, TASKS_BACKEND…) deserves one clear line.
        sys.exit(f"configuration error: {exc}")


if __name__ == "__main__":
    main()
