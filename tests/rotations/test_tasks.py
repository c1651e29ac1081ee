from __future__ import annotations

import datetime as dt

from django.urls import reverse

from lisplan.rotations import services
from lisplan.rotations.startpage import tasks_for


def test_start_page_tasks_follow_the_request_life_cycle(world, client):
    request = services.request_create(
        actor=world.users["local_coordinator"],
        trainee=world.trainee,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=dt.date(2027, 3, 1),
        duration_months=6,
        wish=True,
    )
    sending = {t["title"]: t["count"] for t in tasks_for(world.users["local_coordinator"])}
    assert sending["Ønsker som skal videresendes"] == 1
    services.request_forward(actor=world.users["local_coordinator"], request=request)
    sending = {t["title"]: t["count"] for t in tasks_for(world.users["local_coordinator"])}
    assert sending["Ønsker som skal videresendes"] == 0
    assert not tasks_for(world.users["outsider"]) or all(
        t["count"] == 0 for t in tasks_for(world.users["outsider"])
    )
    client.force_login(world.users["local_coordinator"])
    html = client.get(reverse("home")).content.decode()
    assert "Ønsker som skal videresendes" in html
