"""The build's notion of "now": SOURCE_DATE_EPOCH when set, so builds can be reproduced."""

from __future__ import annotations

import datetime as dt
import os


def build_datetime() -> dt.datetime:
    """UTC time of the build: ``SOURCE_DATE_EPOCH`` if set, else the current time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)
