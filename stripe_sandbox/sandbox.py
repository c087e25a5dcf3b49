"""One sandbox instance: state, clock, background workers, HTTP server.

This is the object every handler reaches as `req.sb`:

    sb.store        create/get/save/list objects (see store.py)
    sb.clock.now()  the sandbox's idea of "now" (advanced by control calls)
    sb.emit(...)    create an event and queue its webhook deliveries
    sb.schedule(at, job_name, payload)   run a registered job at a clock time
    sb.url(path)    absolute URL of a hosted page on this sandbox
    sb.faults       fault injection state
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

from stripe_sandbox import events
from stripe_sandbox.clock import Clock
from stripe_sandbox.config import Config
from stripe_sandbox.delivery import Delivery
from stripe_sandbox.faults import Faults
from stripe_sandbox.modules import MODULES
from stripe_sandbox.router import RouteTable
from stripe_sandbox.scheduler import Scheduler
from stripe_sandbox.store import PLATFORM, Store

log = logging.getLogger("stripe_sandbox")


class Sandbox:
    def __init__(self, config: Config | None = None, modules: list[str] | None = None) -> None:
        self.config = config or Config()
        self.clock = Clock()
        self.store = Store(self.config.data)
        self.faults = Faults()
        self.scheduler = Scheduler(self)
        self.delivery = Delivery(self)
        self.routes = RouteTable()
        self.port: int | None = None
        self._modules = [importlib.import_module(name) for name in (modules or MODULES)]
        for module in self._modules:
            router = getattr(module, "router", None)
            if router is not None:
                self.routes.include(router)
        self.clock.set_offset(self.store.state_get("clock_offset", 0.0))
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._setup_modules()

    # -- helpers for resource modules ---------------------------------------
    def now(self) -> int:
        return self.clock.now()

    def emit(
        self,
        type: str,
        obj: dict[str, Any],
        *,
        account: str | None = PLATFORM,
        previous_attributes: dict[str, Any] | None = None,
        request: dict[str, Any] | None = None,
        owner: str | None = None,
    ) -> dict[str, Any]:
        return events.emit(
            self,
            type,
            obj,
            account=account,
            owner=owner,
            previous_attributes=previous_attributes,
            request=request,
        )

    def schedule(self, at: float, name: str, payload: dict[str, Any]) -> None:
        self.scheduler.schedule(at, name, payload)

    @property
    def base_url(self) -> str:
        return self.config.base_url(self.port)

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- control ------------------------------------------------------------
    def advance(self, seconds: float) -> int:
        self.clock.advance(seconds)
        self.store.state_set("clock_offset", self.clock.offset)
        self.scheduler.run_due()
        self.delivery.wake()
        return self.clock.now()

    def reset(self) -> None:
        with self.store.transaction():
            self.store.wipe()
            self.scheduler.clear()
            self.delivery.clear()
        self.clock.reset()
        self.faults.clear()
        self._setup_modules()

    def _setup_modules(self) -> None:
        with self.store.transaction():
            for module in self._modules:
                setup = getattr(module, "setup", None)
                if setup is not None:
                    setup(self)

    # -- lifecycle ----------------------------------------------------------
    def start(self, host: str | None = None, port: int | None = None) -> str:
        """Serve on a background thread; returns the base URL."""
        from stripe_sandbox.server import make_server

        host = host or self.config.host
        self._server = make_server(self, host, self.config.port if port is None else port)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            name="sandbox-http",
            kwargs={"poll_interval": 0.1},
            daemon=True,
        )
        self._thread.start()
        self.scheduler.start()
        self.delivery.start()
        log.info("Stripe sandbox listening on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.scheduler.stop()
        self.delivery.stop()
        self.store.close()
