"""One sandbox instance: state, clock, limits, faults, routes, HTTP server.

Handlers reach it as `req.sb`: `store`, `clock`, `config`, `faults`, `limits`, `url(path)`.
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

from accounting_sandbox.clock import Clock
from accounting_sandbox.config import Config
from accounting_sandbox.faults import Faults
from accounting_sandbox.modules import MODULES
from accounting_sandbox.ratelimit import Limits
from accounting_sandbox.router import Request, RouteTable
from accounting_sandbox.store import Store

log = logging.getLogger("accounting_sandbox")


class Sandbox:
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.clock = Clock()
        self.store = Store(self.config.data)
        self.faults = Faults()
        self.limits = Limits(self)
        self.routes = RouteTable()
        self.violations: list[dict[str, Any]] = []
        # (method, pattern) of every route called: tests check they walked them all
        self.hits: set[tuple[str, str]] = set()
        self.port: int | None = None
        self._modules = [importlib.import_module(name) for name in MODULES]
        for module in self._modules:
            router = getattr(module, "router", None)
            if router is not None:
                self.routes.include(router)
        self.clock.set_offset(self.store.state_get("clock_offset", 0.0))
        self._server: Any = None
        self._thread: threading.Thread | None = None
        if not self.store.state_get("set_up"):
            self._setup_modules()

    @property
    def base_url(self) -> str:
        return self.config.base_url(self.port)

    def url(self, path: str) -> str:
        return self.base_url + path

    def violation(self, vendor: str, req: Request, problems: list[str]) -> None:
        """A request (or answer) that does not match the vendor's schema."""
        self.violations.append(
            {"vendor": vendor, "method": req.method, "path": req.path, "problems": problems}
        )
        log.warning("%s %s %s: %s", vendor, req.method, req.path, "; ".join(problems[:3]))

    # -- control ----------------------------------------------------------------------------
    def advance(self, seconds: float) -> int:
        self.clock.advance(seconds)
        self.store.state_set("clock_offset", self.clock.offset)
        return self.clock.now()

    def reset(self) -> None:
        with self.store.transaction():
            self.store.wipe()
        self.clock.reset()
        self.faults.clear()
        self.limits.clear()
        self.violations.clear()
        self._setup_modules()

    def _setup_modules(self) -> None:
        with self.store.transaction():
            for module in self._modules:
                setup = getattr(module, "setup", None)
                if setup is not None:
                    setup(self)
            self.store.state_set("set_up", True)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, host: str | None = None, port: int | None = None) -> str:
        from accounting_sandbox.server import make_server

        host = host or self.config.host
        self._server = make_server(self, host, self.config.port if port is None else port)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            name="accounting-sandbox",
            kwargs={"poll_interval": 0.1},
            daemon=True,
        )
        self._thread.start()
        log.info("Accounting sandbox listening on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.store.close()
