"""Workers claim stored events in batches under a lease; a worker dying mid-batch loses
nothing and applies nothing twice; one failing event rolls back alone."""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from firmpay.core.models import AuditRecord
from firmpay.payments.facts import FACT_APPLIERS, AccountChanged
from firmpay.payments.models import StripeEvent, StripeEventStatus
from firmpay.payments.services.event_batches import reads_stripe
from firmpay.payments.services.event_rows import ClaimedEvent, events_claim_batch
from firmpay.payments.services.events import stripe_event_store, stripe_events_process_batch
from firmpay.payments.stripe.events import EVENT_MAPPERS
from firmpay.payments.tests.conftest import event_payload

pytestmark = pytest.mark.django_db


class WorkerDied(BaseException):
    """What SIGKILL does to a batch in flight: nothing after it runs, nothing commits."""


@dataclass(frozen=True)
class RecordedFact:
    event_id: str
    broken: bool


@pytest.fixture
def fact_events(monkeypatch):
    """An event type mapped to one fact whose applier records it (an audit row) per event;
    `crash_on` makes the applier kill the 'worker' at that event."""
    crash_on: set[str] = set()

    def record_fact(fact):
        AuditRecord.objects.create(action="test.fact", target_id=fact.event_id)
        if fact.event_id in crash_on:
            raise WorkerDied
        if fact.broken:
            raise ValueError("cannot apply this one")
        return StripeEventStatus.PROCESSED

    def to_fact(envelope):
        return (RecordedFact(event_id=envelope.id, broken=bool(envelope.object.get("broken"))),)

    monkeypatch.setitem(EVENT_MAPPERS, "test.fact", to_fact)
    monkeypatch.setitem(FACT_APPLIERS, RecordedFact, record_fact)

    def store(n, *, account="acct_batch", broken=()):
        ids = [f"evt_fact_{account}_{i}" for i in range(n)]
        for event_id in ids:
            obj = {"id": event_id, "object": "thing", "broken": event_id in broken}
            payload = event_payload(
                event_id=event_id, type="test.fact", account=account, object=obj
            )
            stripe_event_store(payload=payload, data=json.loads(payload))
        return ids

    store.crash_on = crash_on
    return store


def facts() -> list[str]:
    return sorted(
        AuditRecord.objects.filter(action="test.fact").values_list("target_id", flat=True)
    )


def lease_runs_out():
    StripeEvent.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_one_statement_claims_a_batch_under_a_lease_and_a_second_claim_gets_the_rest(fact_events):
    fact_events(5)
    first = events_claim_batch(limit=3)
    second = events_claim_batch(limit=3)
    assert len(first) == 3 and len(second) == 2
    assert not {e.event_id for e in first} & {e.event_id for e in second}
    assert events_claim_batch(limit=3) == []  # all leased
    leased = StripeEvent.objects.values_list("status", "attempts", "next_attempt_at")
    assert all(s == "received" and a == 1 and at > timezone.now() for s, a, at in leased)


def test_a_batch_is_processed_and_each_event_applied_once(fact_events):
    ids = fact_events(30, account="acct_a") + fact_events(20, account="acct_b")
    assert stripe_events_process_batch(limit=100) == 50
    assert facts() == sorted(ids)
    assert set(StripeEvent.objects.values_list("status", "attempts")) == {("processed", 1)}
    assert stripe_events_process_batch(limit=100) == 0


def test_a_worker_killed_mid_batch_loses_nothing_and_applies_nothing_twice(fact_events):
    ids = fact_events(10)
    fact_events.crash_on.add(ids[6])
    with pytest.raises(WorkerDied):
        stripe_events_process_batch(limit=100)
    # The dead worker's batch: nothing applied, every row still received, leased.
    assert facts() == []
    assert set(StripeEvent.objects.values_list("status", "attempts")) == {("received", 1)}
    assert stripe_events_process_batch(limit=100) == 0  # nobody takes a leased row
    fact_events.crash_on.clear()
    lease_runs_out()
    assert stripe_events_process_batch(limit=100) == 10
    assert facts() == sorted(ids)  # each fact exactly once
    assert set(StripeEvent.objects.values_list("status", "attempts")) == {("processed", 2)}


def test_one_failing_event_in_a_batch_rolls_back_alone_and_is_retried_later(fact_events):
    ids = fact_events(6, broken={"evt_fact_acct_batch_2"})
    assert stripe_events_process_batch(limit=100) == 6
    assert facts() == sorted(set(ids) - {"evt_fact_acct_batch_2"})
    failed = StripeEvent.objects.get(event_id="evt_fact_acct_batch_2")
    assert failed.status == "failed" and "cannot apply this one" in failed.last_error
    assert failed.next_attempt_at > timezone.now()
    assert StripeEvent.objects.filter(status="processed").count() == 5


def test_an_event_of_another_api_version_is_flagged_in_a_batch_and_never_claimed_again(
    fact_events,
):
    ids = fact_events(3)
    payload = event_payload(
        event_id="evt_old_version", type="test.fact", object={"id": "x"}, api_version="2020-08-27"
    )
    stripe_event_store(payload=payload, data=json.loads(payload))
    assert stripe_events_process_batch(limit=100) == 4
    assert facts() == sorted(ids)  # the flagged one was not read
    assert StripeEvent.objects.get(event_id="evt_old_version").status == "flagged"
    lease_runs_out()
    assert stripe_events_process_batch(limit=100) == 0  # flagged is final


def claimed(type, object, account="acct_x"):
    payload = event_payload(type=type, account=account, object=object)
    return ClaimedEvent(1, "evt_x", type, account, payload, timezone.now(), 1)


def test_events_that_read_from_stripe_run_outside_the_batch_payouts_and_payments_stay_in_it():
    assert reads_stripe(claimed("account.updated", {"id": "acct_x", "object": "account"}))
    assert reads_stripe(claimed("capability.updated", {"id": "card_payments"}))
    setup = {"id": "seti_1", "object": "setup_intent", "status": "succeeded"}
    assert reads_stripe(claimed("setup_intent.succeeded", setup))
    payout = {"id": "po_1", "object": "payout", "status": "paid", "amount": 100, "currency": "usd"}
    assert not reads_stripe(claimed("payout.paid", payout))
    session = {"id": "cs_1", "object": "checkout.session", "mode": "payment"}
    assert not reads_stripe(claimed("checkout.session.completed", session))


def _stale_account_watched(monkeypatch, acct: str):
    """A firm's connected account whose snapshot is an hour old (older than any event the
    test stores), and the list of account ids the worker refreshes, Stripe not called."""
    from firmpay.payments.connect import facts as connect_facts
    from firmpay.payments.tests.online import connected_account
    from firmpay.tenancy.tests.factories import make_firm

    account = connected_account(make_firm(), acct=acct)
    account.snapshot_at = timezone.now() - timedelta(hours=1)
    account.save()
    refreshed = []
    monkeypatch.setattr(
        connect_facts, "payment_account_refresh", lambda account: refreshed.append(account.pk)
    )
    return account, refreshed


def test_account_events_for_accounts_not_connected_are_ignored_together_the_connected_one_refreshed(
    monkeypatch, django_assert_max_num_queries
):
    known, refreshed = _stale_account_watched(monkeypatch, "acct_known_batch")
    for i in range(20):
        payload = event_payload(event_id=f"evt_unknown_{i}", account=f"acct_nobody{i}")
        stripe_event_store(payload=payload, data=json.loads(payload))
    payload = event_payload(event_id="evt_known", account="acct_known_batch")
    stripe_event_store(payload=payload, data=json.loads(payload))
    # 20 unknown accounts cost no query each: the claim, one lookup for all, the known
    # account's row, one status UPDATE per status (and 4 savepoint lines in a test).
    with django_assert_max_num_queries(9):
        assert stripe_events_process_batch(limit=100) == 21
    statuses = dict(StripeEvent.objects.values_list("event_id", "status"))
    assert statuses.pop("evt_known") == "processed" and refreshed == [known.pk]
    assert set(statuses.values()) == {"ignored"}
    lease_runs_out()
    assert stripe_events_process_batch(limit=100) == 0


def test_an_account_event_of_another_api_version_for_an_unknown_account_is_still_flagged():
    payload = event_payload(
        event_id="evt_old_acct", account="acct_nobody", api_version="2020-08-27"
    )
    stripe_event_store(payload=payload, data=json.loads(payload))
    assert stripe_events_process_batch(limit=100) == 1
    assert StripeEvent.objects.get(event_id="evt_old_acct").status == "flagged"


def test_a_renewal_extends_only_the_claims_unfinished_rows(fact_events):
    from firmpay.payments.services.event_rows import (
        event_fail,
        events_claim_leased,
        events_finish,
        events_lease_renew,
    )

    fact_events(4)
    claimed, until = events_claim_leased(limit=10)
    done, failed, taken, kept = (event.pk for event in claimed)
    events_finish(pks=[done], status="processed")
    event_fail(event=claimed[1], error=ValueError("x"))
    retry_at = StripeEvent.objects.get(pk=failed).next_attempt_at
    # The lease on `taken` ran out and another worker claimed it.
    StripeEvent.objects.filter(pk=taken).update(next_attempt_at=timezone.now())
    others, others_until = events_claim_leased(limit=10)
    assert [event.pk for event in others] == [taken]

    new_until, renewed = events_lease_renew(pks=[done, failed, taken, kept], until=until)
    rows = {row.pk: row.next_attempt_at for row in StripeEvent.objects.all()}
    assert renewed == 1 and rows[kept] == new_until > until
    assert (rows[done], rows[failed], rows[taken]) == (None, retry_at, others_until)


def test_a_killed_workers_batch_is_due_again_within_a_minute(fact_events):
    from firmpay.payments.services.event_rows import events_claim_leased

    fact_events(3)
    claimed, until = events_claim_leased(limit=10)  # ... and the worker is SIGKILLed
    assert len(claimed) == 3 and until <= timezone.now() + timedelta(minutes=1)
    assert set(StripeEvent.objects.values_list("next_attempt_at", flat=True)) == {until}


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_keeps_renewing_its_lease_while_it_works(fact_events, settings):
    import time

    from firmpay.payments.services.event_rows import events_claim_leased, lease_kept

    settings.STRIPE_EVENTS_PROCESS_INLINE = False  # (committed at once here) left to claim
    fact_events(2)
    claimed, until = events_claim_leased(limit=10)
    with lease_kept([event.pk for event in claimed], until, every=timedelta(seconds=0.1)):
        time.sleep(0.5)  # a slow batch
        leases = set(StripeEvent.objects.values_list("next_attempt_at", flat=True))
    assert len(leases) == 1 and leases.pop() > until
    assert events_claim_batch(limit=10) == []  # still ours, not due


def test_payment_events_matching_no_payment_are_ignored_together_a_learned_id_still_applies(
    django_assert_max_num_queries,
):
    from firmpay.payments.online.models import OnlinePayment
    from firmpay.payments.tests.online import (
        Stripe,
        connected_account,
        pending_payment,
        sent_invoice,
    )
    from firmpay.tenancy.tests.factories import make_firm

    firm = make_firm()
    account = connected_account(firm)
    acct = account.stripe_account_id
    # The firm's other Stripe business: charges of nothing of ours.
    for _ in range(10):
        data = Stripe(OnlinePayment(stripe_account_id=acct, amount=100)).charge("charge.succeeded")
        stripe_event_store(payload=json.dumps(data), data=data)
    # The claim, one lookup for all ten, their statuses (and 4 savepoint lines in a test).
    with django_assert_max_num_queries(7):
        assert stripe_events_process_batch(limit=100) == 10
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"ignored"}

    ours = Stripe(pending_payment(sent_invoice(firm), account))
    session = ours.session("checkout.session.completed")  # names our payment, teaches the pi
    intent = ours.intent("payment_intent.succeeded")
    intent["data"]["object"]["metadata"] = {}  # only its pi, which nothing stored has yet
    for data in (session, intent):
        stripe_event_store(payload=json.dumps(data), data=data)
    assert stripe_events_process_batch(limit=100) == 2
    assert StripeEvent.objects.get(event_id=intent["id"]).status == "processed"
    assert OnlinePayment.objects.get(pk=ours.p.pk).succeeded_at is not None


def test_a_burst_of_changes_to_one_account_is_applied_once_by_its_latest_event(monkeypatch):
    from firmpay.payments.connect import facts as connect_facts

    known, refreshed = _stale_account_watched(monkeypatch, "acct_burst_batch")
    for i, kind in enumerate(["account.updated", "capability.updated"] * 3):
        payload = event_payload(event_id=f"evt_burst_{i}", type=kind, account="acct_burst_batch")
        stripe_event_store(payload=payload, data=json.loads(payload))
    latest = StripeEvent.objects.order_by("-received_at", "-pk").first()
    ran = []
    original = connect_facts.account_changed_apply
    monkeypatch.setitem(
        FACT_APPLIERS, AccountChanged, lambda fact: ran.append(fact) or original(fact)
    )
    assert stripe_events_process_batch(limit=100) == 6
    assert refreshed == [known.pk]  # one retrieve for the burst, not one per event
    assert len(ran) == 1 and ran[0].received_at == latest.received_at
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"processed"}
    assert set(StripeEvent.objects.values_list("attempts", flat=True)) == {1}
