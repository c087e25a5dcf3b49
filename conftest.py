pytest_plugins = ["tests.browser", "stripe_sandbox.pytest_plugin"]
