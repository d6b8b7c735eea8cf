"""How long an export's presigned URL may live: at most 7 days (SigV4's limit), never past the end
of the retrieval deadline's day; none at all after it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tenantkit.lifecycle.restore import RestoreRefused
from tenantkit.lifecycle.restore.export import MAX_URL_SECONDS, url_lifetime

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("deadline", "seconds"),
    [
        (None, MAX_URL_SECONDS),  # an active tenant: no deadline yet
        (date(2027, 2, 1), MAX_URL_SECONDS),  # far away: SigV4's 7 days
        (date(2026, 12, 9), (2 * 24 + 21) * 3600),  # to the end of the deadline's day, not 7 days
        (date(2026, 12, 7), 21 * 3600),  # the last day: until midnight UTC
    ],
)
def test_a_url_lives_seven_days_at_most_and_never_past_the_deadline(deadline, seconds):
    assert url_lifetime(deadline, NOW) == seconds


@pytest.mark.parametrize("deadline", [date(2026, 12, 6), date(2026, 1, 1)])
def test_no_url_after_the_deadline(deadline):
    with pytest.raises(RestoreRefused, match=f"the retrieval deadline {deadline.isoformat()} has passed: no URL issued"):
        url_lifetime(deadline, NOW)
