"""A crash in the middle of a workshop: bench/workshop.py's load in its short form
(50 phones in rooms of 30, 20 s, gunicorn 2 × 4) while gunicorn, master and workers,
is killed with SIGKILL and started again. Every edit the server acknowledged is in the
revision history afterwards, no resend is applied twice, and every phone carries on by
itself (the same cookies, no new join): it polls and saves on the new server."""
import sys
from pathlib import Path

import pytest

# bench/ is a folder of scripts that import each other by name.
sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import workshop

pytestmark = pytest.mark.server

CRASH_AT = 6  # seconds into the load


def test_no_acknowledged_edit_is_lost_and_phones_carry_on_after_a_kill(database_url):
    morning = workshop.workshop(database_url, **workshop.SHORT, crash_at=CRASH_AT)
    answers = [answer for phone in morning.phones for answer in phone.answers]
    refused = [answer for answer in answers if answer.status >= 400]
    assert not refused, f"{len(refused)} answers 4xx/5xx, e.g. {refused[:5]}"
    # The crash hit: requests went unanswered and saves had to be sent again.
    assert any(answer.status == 0 for answer in answers)
    assert sum(phone.resent for phone in morning.phones) > 0

    assert morning.missing == [], "acknowledged, then lost"
    assert morning.twice == [], "a resent idea added again"
    for phone in morning.phones:
        story = timeline(phone, morning.restarted_at)
        assert phone.unanswered is None, story
        assert set(phone.acknowledged) == set(phone.sent), f"phone {phone.number} gave up on edits\n{story}"
        after = [answer for answer in phone.answers if answer.at >= morning.restarted_at and answer.status]
        assert any(answer.kind.startswith("poll") for answer in after), f"never polled again\n{story}"
        assert any(answer.kind.startswith("save") for answer in after), f"never saved again\n{story}"


def timeline(phone: workshop.Phone, restarted_at: float) -> str:
    """What one phone sent and got, in seconds from the restart (status 0: no answer)."""
    return "\n".join(f"{answer.at - restarted_at:+7.2f} s  {answer.kind:18} {answer.status:3d} in {answer.seconds:.2f} s"
                     for answer in phone.answers)
