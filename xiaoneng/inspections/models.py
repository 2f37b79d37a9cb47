"""明查暗访: the models (see apps.py for what this app is for)."""

from django.db import models  # noqa: F401
