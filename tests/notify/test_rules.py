"""The notification rules on their own: which change earns which notice, keyed once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.notify import kinds
from bot.notify.rules import Change, Facts, FollowerRef, Notice, Policy, apologies_for_late, notices, notices_for_change

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
DAY = timedelta(days=1)
ZALO, FACEBOOK = FollowerRef("zalo", "z1"), FollowerRef("facebook", "f1")
BASE = Facts(1, "000.00.31.H26-261117-0004", 4, "1.004222", 1, NOW - 9 * DAY, NOW - DAY, None, None, None)


def _kinds(found: Sequence[Notice]) -> list[str]:
    return [n.kind for n in found]


def test_each_status_earns_its_notice_for_each_follower() -> None:
    expected = {2: [], 3: ["refused"], 5: ["supplement"], 6: ["payment"], 8: ["stopped"], 9: ["ready"], 10: ["returned", "survey"]}
    for status, wanted in expected.items():
        found = notices_for_change(Change(BASE, replace(BASE, status=status)), [ZALO, FACEBOOK], Policy(), NOW)
        assert _kinds(found) == wanted + wanted, (status, found)  # each follower, in turn
        assert {n.platform for n in found} == ({"zalo", "facebook"} if wanted else set())


def test_received_only_when_switched_on_and_nothing_without_followers() -> None:
    change = Change(replace(BASE, status=1), replace(BASE, status=2))
    assert notices_for_change(change, [ZALO], Policy(), NOW) == []
    assert _kinds(notices_for_change(change, [ZALO], Policy(frozenset(kinds.ALL)), NOW)) == ["received"]
    assert notices([change], {}, Policy(frozenset(kinds.ALL)), NOW) == []


def test_the_survey_waits_the_configured_delay() -> None:
    found = notices_for_change(
        Change(replace(BASE, status=9), replace(BASE, status=10)), [ZALO], Policy(survey_delay=timedelta(hours=5)), NOW
    )
    survey = next(n for n in found if n.kind == kinds.SURVEY)
    assert survey.due_at == NOW + timedelta(hours=5)


def test_keys_are_stable_and_differ_by_appointment() -> None:
    change = Change(BASE, replace(BASE, status=5, reason="Bản sao CCCD"))
    first, again = notices_for_change(change, [ZALO], Policy(), NOW), notices_for_change(change, [ZALO], Policy(), NOW + DAY)
    assert [n.dedupe_key for n in first] == [n.dedupe_key for n in again]
    later = Change(BASE, replace(BASE, status=5, supplement_due_at=NOW + 5 * DAY))
    assert notices_for_change(later, [ZALO], Policy(), NOW)[0].dedupe_key != first[0].dedupe_key


def test_a_recorded_delay_apologises_for_the_missed_date_with_the_new_one() -> None:
    delayed = replace(BASE, new_appointment_at=NOW + 6 * DAY, reason="Chờ xác minh")
    [apology] = notices_for_change(Change(BASE, delayed), [ZALO], Policy(), NOW)
    assert apology.kind == kinds.APOLOGY and apology.data["missed_at"] == BASE.appointment_at.isoformat()  # type: ignore[union-attr]
    assert apology.data["new_appointment_at"] == (NOW + 6 * DAY).isoformat()
    assert apology.instead is not None and apology.instead.kind == kinds.NEW_DATE  # if that date was apologised for already
    # Moving the new date again apologises for the new date it replaces.
    [second] = notices_for_change(Change(delayed, replace(delayed, new_appointment_at=NOW + 9 * DAY)), [ZALO], Policy(), NOW)
    assert second.dedupe_key != apology.dedupe_key and second.data["missed_at"] == (NOW + 6 * DAY).isoformat()


def test_no_apology_for_a_dossier_that_is_finished_or_not_late() -> None:
    finished = replace(BASE, status=9, new_appointment_at=NOW + DAY)
    assert _kinds(notices_for_change(Change(BASE, finished), [ZALO], Policy(), NOW)) == ["ready"]
    assert apologies_for_late(finished, [ZALO], Policy(), NOW) == []
    today = replace(BASE, appointment_at=NOW)  # due today: not late yet
    assert apologies_for_late(today, [ZALO], Policy(), NOW) == []
    assert _kinds(apologies_for_late(BASE, [ZALO, FACEBOOK], Policy(), NOW)) == ["apology", "apology"]
    assert apologies_for_late(BASE, [ZALO], Policy(frozenset({kinds.READY})), NOW) == []


def test_a_missed_new_appointment_earns_a_new_apology() -> None:
    first = apologies_for_late(BASE, [ZALO], Policy(), NOW)
    moved = replace(BASE, new_appointment_at=NOW + DAY)
    assert apologies_for_late(moved, [ZALO], Policy(), NOW) == []
    again = apologies_for_late(moved, [ZALO], Policy(), NOW + 3 * DAY)
    assert len(again) == 1 and again[0].dedupe_key != first[0].dedupe_key
