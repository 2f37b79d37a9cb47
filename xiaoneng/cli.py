"""The `xiaoneng` console script: Django's management commands plus ours.

`xiaoneng migrate`, `xiaoneng shell` … behave as with manage.py; our commands may be spelt with hyphens
(`xiaoneng seed-demo`, `xiaoneng create-token`), which map to the underscore module names Django needs.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(argv) > 1 and not argv[1].startswith("-") and "-" in argv[1]:
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "xiaoneng"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0
