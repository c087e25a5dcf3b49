"""Huey tasks of online payments: emails (the row says what to send; the task only kicks)."""

from huey.contrib.djhuey import db_task

from firmpay.payments.online.notices import payment_notice_send


@db_task(retries=3, retry_delay=60)
def payment_notice_send_task(notice_id: int):
    payment_notice_send(notice_id=notice_id)
