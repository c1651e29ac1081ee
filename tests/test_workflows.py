"""Cross-app workflows (decision 0011): each domain event an app's service sends has its one
reaction in `lisplan.workflows`, so nothing a service announces goes unheard."""

from django.dispatch import Signal

from lisplan import events
from lisplan.workflows import handlers


def test_every_event_is_listed_and_has_exactly_one_workflow():
    signals = {name for name, value in vars(events).items() if isinstance(value, Signal)}
    assert signals == set(events.ALL) == set(handlers.HANDLERS)
    for name, signal in events.ALL.items():
        assert len(signal.receivers) == 1, name
        assert signal.has_listeners(), name
