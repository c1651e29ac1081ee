"""The IUP pages link to the calendar subscription («Abonner i kalenderen (Outlook)»)."""

from __future__ import annotations

from django.urls import reverse


def test_iup_pages_link_to_the_calendar_for_trainee_supervisor_and_leader(client, world, draft):
    calendar = reverse("notifications:calendar")
    for persona in ("trainee", "supervisor", "leader"):
        client.force_login(world.users[persona])
        for target in (
            reverse("iup:trainee", args=[world.trainee.pk]),
            reverse("iup:revision", args=[draft.pk]),
        ):
            response = client.get(target)
            assert response.status_code == 200, (persona, target)
            html = response.content.decode()
            assert f'href="{calendar}"' in html and "Abonner i kalenderen (Outlook)" in html
        assert client.get(calendar).status_code == 200
