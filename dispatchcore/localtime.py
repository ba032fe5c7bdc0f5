"""The time zones the care system reasons in: dates on letters, reminder days and ages are
Swedish (Europe/Stockholm), instants are stored in UTC. Pure, so the rule modules can use
them without depending on where the time comes from (``clock.py``, which speaks HTTP)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC
SWEDEN = ZoneInfo("Europe/Stockholm")
