"""The date a writer stamps into its output. Apart from the Word writers' helpers
(:mod:`.ooxml`), so that the command line checks it before comparing without importing
python-docx (~40 ms), which a Word writer's set-up then imports while the comparison waits
for its side work (``compare(meanwhile=…)``)."""

from __future__ import annotations

import datetime as dt
import os

from ..errors import SettingsError

# Word's dates have four-digit years: 9999-12-31T23:59:59Z is the last one.
_LAST_EPOCH = 253_402_300_799


def generation_time() -> dt.datetime:
    """The date written into the document: ``SOURCE_DATE_EPOCH`` when set (reproducible
    builds), else today at midnight UTC, so the same inputs give the same bytes all day.
    A malformed value is an error, as the reproducible-builds specification asks."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not (epoch.isascii() and epoch.isdigit()):
            raise SettingsError(
                f"SOURCE_DATE_EPOCH={epoch[:40]!r} is not a whole number of seconds since"
                " 1970; give one (e.g. 1700000000) or unset it"
            )
        digits = epoch.lstrip("0") or "0"  # int() of 5,000 digits is an error of its own
        if len(digits) > len(str(_LAST_EPOCH)) or int(digits) > _LAST_EPOCH:
            raise SettingsError(
                f"SOURCE_DATE_EPOCH={epoch[:40]} is after the year 9999; give a number of"
                f" seconds up to {_LAST_EPOCH} or unset it"
            )
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    today = dt.datetime.now(dt.UTC).date()
    return dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
