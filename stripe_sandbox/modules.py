"""The resource modules a sandbox loads, in order.

A module may define `router` (a `stripe_sandbox.router.Router`), `setup(sb)`
(run at start and after every reset, e.g. to create fixed objects), and job
handlers with `@stripe_sandbox.scheduler.job(...)`. Add one line here per
module.
"""

MODULES = [
    "stripe_sandbox.resources.control",
    "stripe_sandbox.resources.accounts",
    "stripe_sandbox.resources.capabilities",
    "stripe_sandbox.resources.external_accounts",
    "stripe_sandbox.resources.account_links",
    "stripe_sandbox.resources.onboarding",
    "stripe_sandbox.resources.control_accounts",
    "stripe_sandbox.resources.oauth",
    "stripe_sandbox.resources.oauth_page",
    "stripe_sandbox.resources.webhooks",
    "stripe_sandbox.resources.events_api",
    "stripe_sandbox.resources.dashboard",
    "stripe_sandbox.resources.debits",
    "stripe_sandbox.resources.checkout",
    "stripe_sandbox.resources.checkout_page",
    "stripe_sandbox.resources.payments_api",
    "stripe_sandbox.resources.payment_controls",
    "stripe_sandbox.resources.refunds",
    "stripe_sandbox.resources.disputes",
    "stripe_sandbox.resources.payouts",
    "stripe_sandbox.resources.payout_sweep",
    "stripe_sandbox.resources.payment_method_settings",
    "stripe_sandbox.resources.customers",
    "stripe_sandbox.resources.setup_flow",
    "stripe_sandbox.resources.offsession",
]
