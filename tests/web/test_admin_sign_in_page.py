"""The sign-in page for an account in any state: a clear French message, never a silent return, never a 500."""

from __future__ import annotations

from html import unescape

from service.staff.accounts import StaffAccounts
from tests.http.conftest import PASSWORD


async def test_an_account_without_a_role_is_told_so_at_sign_in(client, runtime, clock) -> None:
    """Older data (no API or page makes such an account any more): told in French, never sent back in silence."""
    await StaffAccounts(runtime.pool).create("ancien.compte", "Ancien Compte", PASSWORD, [], clock())
    form = {"username": "ancien.compte", "password": PASSWORD}
    answer = await client.post("/ui/sign-in", data=form, follow_redirects=False)
    assert answer.status_code == 401, answer.text
    assert "Votre compte n'a encore aucun rôle. Demandez à l'administrateur de vous en attribuer un." in unescape(
        answer.text
    )
    assert 'value="ancien.compte"' in answer.text and PASSWORD not in answer.text
    wrong = await client.post("/ui/sign-in", data={**form, "password": "pas le bon"}, follow_redirects=False)
    assert wrong.status_code == 401 and "aucun rôle" not in wrong.text, "said only to whom knows the password"
