"""Appointments over HTTP: book, double booking (409), move with If-Match, arrival, agendas, the calendar feed."""

from __future__ import annotations

import icalendar

from tests.http.test_training_api import key, register

SITE = "Liège centre"
TEN = "2026-09-02T10:00:00+02:00"


def booking(person_id: str, staff_id: str | None, starts_at: str = TEN, kind: str = "social_legal") -> dict:
    return {
        "kind": kind,
        "person_id": person_id,
        "staff_id": staff_id,
        "site": SITE,
        "starts_at": starts_at,
        "minutes": 30,
    }


async def book(api, body: dict) -> str:
    response = await api.post("/appointments", json=body, headers=key())
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    return str(response.json()["ids"]["appointment_id"])


async def test_double_booking_answers_409_naming_starts_at(staff) -> None:
    sw, other = staff["social_worker"], staff["other_social_worker"]
    amina = await register(sw, "Amina", "Diallo")
    karim = await register(other, "Karim", "Benali")
    await book(sw, booking(amina, sw.staff_id))
    # A colleague books with her, overlapping: refused.
    response = await other.post(
        "/appointments", json=booking(karim, sw.staff_id, "2026-09-02T10:15:00+02:00"), headers=key()
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"] == "/problems/double-booking"
    assert [e["field"] for e in problem["errors"]] == ["starts_at"]
    assert "Amina" not in response.text and "Diallo" not in response.text
    naive = await sw.post("/appointments", json=booking(karim, sw.staff_id, "2026-09-02T12:00:00"), headers=key())
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "starts_at"
    helper = staff["helper"]
    refused = await helper.post("/appointments", json=booking(karim, helper.staff_id), headers=key())
    assert refused.status_code == 403  # social-legal appointments are the social workers'


async def test_move_with_a_stale_if_match_is_409_and_arrival_reaches_the_board(staff, project) -> None:
    helper = staff["helper"]
    person = await register(helper, "Amina", "Diallo")
    appointment = await book(helper, booking(person, helper.staff_id, kind="office_hours"))
    moving = {"staff_id": helper.staff_id, "site": SITE, "starts_at": "2026-09-01T11:00:00+02:00", "minutes": 20}
    moved = await helper.post(f"/appointments/{appointment}/move", json=moving, headers={"If-Match": '"1"', **key()})
    assert moved.status_code == 200, moved.text
    stale = await helper.post(f"/appointments/{appointment}/move", json=moving, headers={"If-Match": '"1"', **key()})
    assert stale.status_code == 409 and stale.json()["type"] == "/problems/conflict"
    arrived = await helper.post(f"/appointments/{appointment}/arrival", headers=key())
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["ids"]["visit_id"]
    await project()
    board = (await helper.get(f"/office-hours/board?session_on=2026-09-01&site={SITE}")).json()
    assert [(e["family_name"], e["visit_id"]) for e in board["waiting"]] == [
        ("Diallo", arrived.json()["ids"]["visit_id"])
    ]
    shown = await helper.get(f"/appointments/{appointment}")
    assert shown.status_code == 200 and shown.json()["status"] == "arrived"
    assert shown.json()["person"]["family_name"] == "Diallo"
    week = await helper.get(f"/agenda/staff/{helper.staff_id}?day=2026-08-31&days=7")
    assert [a["appointment_id"] for a in week.json()["appointments"]] == [appointment]
    site = await helper.get(f"/agenda/site?site={SITE}&day=2026-09-01")
    assert [a["status"] for a in site.json()["appointments"]] == ["arrived"]
    trainer = await staff["trainer"].get(f"/appointments/{appointment}")
    assert trainer.status_code == 403


async def test_the_calendar_feed_shows_time_place_and_file_number_only_and_stops_when_revoked(
    staff, client, project
) -> None:
    sw = staff["social_worker"]
    registered = await sw.post("/people", json={"given_name": "Amina", "family_name": "Diallo"}, headers=key())
    person, file_number = registered.json()["ids"]["person_id"], registered.json()["ids"]["file_number"]
    appointment = await book(sw, booking(person, sw.staff_id))
    await project()
    made = await sw.post("/agenda/feed", headers=key())
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    path = url[url.index("/agenda/feeds/") :]
    answered = await client.get(path)  # no session: the token is the key
    assert answered.status_code == 200, answered.text
    assert answered.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(answered.content)
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["uid"]) == f"{appointment}@suivi"
    assert entry.decoded("dtstart").isoformat() == "2026-09-02T08:00:00+00:00"
    assert file_number in str(entry["summary"]) and SITE in str(entry["location"])
    text = answered.content.decode("utf-8").casefold()
    for never in ("amina", "diallo", "social", "juridique", "legal", "cpas", "social worker"):
        assert never not in text, never
    await project()
    mine = (await sw.get("/access-log/mine")).json()
    assert [(e["person_id"], e["view"]) for e in mine if e["view"] == "agenda_feed"] == [(person, "agenda_feed")]
    revoked = await sw.request("DELETE", "/agenda/feed")
    assert revoked.status_code == 204, revoked.text
    assert (await client.get(path)).status_code == 404
    assert (await client.get("/agenda/feeds/unknown.ics")).status_code == 404
