"""Huey tasks of online payments: emails (the row says what to send; the task only kicks)."""

from huey.contrib.djhuey import db_task

from firmpay.payments.online.notices import payment_notice_send


@db_task(retries=3, retry_delay=60)
def payment_notice_send_task(notice_id: int):
    payment_notice_send(notice_id=notice_id)


@db_task(retries=3, retry_delay=60)
def payment_notices_send_task(notice_ids: list[int]):
    """Several notices (a batch of automatic charges). One that fails does not hold back
    the others; the retry resends none of those already sent (each is sent at most once)."""
    failed = None
    for notice_id in notice_ids:
        try:
            payment_notice_send(notice_id=notice_id)
        except Exception as error:  # noqa: BLE001 - raised below, after the others
            failed = error
    if failed is not None:
        raise failed
