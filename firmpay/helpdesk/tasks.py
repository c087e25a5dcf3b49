"""Huey tasks of in-app help: thin kicks, enqueued after commit."""

from huey.contrib.djhuey import db_task

from firmpay.helpdesk.notify import support_reply_notify


@db_task(retries=3, retry_delay=60)
def support_reply_notify_task(message_id: int):
    support_reply_notify(message_id=message_id)
