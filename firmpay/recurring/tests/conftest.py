import pytest

from firmpay.recurring.tests.helpers import Clock


@pytest.fixture
def clock(django_capture_on_commit_callbacks):
    return Clock(django_capture_on_commit_callbacks)
