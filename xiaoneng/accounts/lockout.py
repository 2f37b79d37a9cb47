"""Log-in lock-out (django-axes): per user name and, separately, per network address.

Counting failures per (user name, address) pair, as before, let forty guesses from ten addresses through
without ever locking the account. Axes can count per user name and per address separately
(AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]), but compares both counts with one limit; a county
bureau's staff usually share one address behind the government network's NAT, so an address limit of 5 would
lock a whole office after five typos. This handler gives each its own limit:

- a user name is locked after AXES_FAILURE_LIMIT (5) failures from any addresses, for AXES_COOLOFF_TIME;
- an address is locked after XIAONENG_LOGIN_IP_FAILURE_LIMIT (20) failures for any user names (one address
  guessing many user names), for the same cool-off.

Both expressed on the user-name scale, so that axes' own comparison (failures >= AXES_FAILURE_LIMIT) decides
both. A successful log-in clears that user name's failures only, never the address's (an insider's own
successful log-ins would otherwise reset the count of their guesses at others' accounts).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    """AxesDatabaseHandler with one limit per user name and another per address (see the module)."""

    def get_failures(self, request, credentials=None) -> int:
        counts = [qs.aggregate(n=Sum("failures_since_start"))["n"] or 0
                  for qs in self.get_user_attempts(request, credentials)]
        by_name, by_address = counts  # in the order of AXES_LOCKOUT_PARAMETERS: username, ip_address
        limit = get_failure_limit(request, credentials)
        address_limit = max(int(settings.XIAONENG_LOGIN_IP_FAILURE_LIMIT), 1)
        # by_address * limit // address_limit reaches `limit` exactly when by_address reaches address_limit.
        return max(by_name, by_address * limit // address_limit)

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if username is None:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
