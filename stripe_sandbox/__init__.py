"""A local, stateful stand-in for Stripe's HTTP API and hosted pages.

No Django, no firmpay imports: only the standard library and `stripe`.
See README.md.
"""

from stripe_sandbox.config import Config
from stripe_sandbox.sandbox import Sandbox

__all__ = ["Config", "Sandbox"]
