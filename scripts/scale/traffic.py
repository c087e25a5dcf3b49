"""Traffic for the scale test: account changes and clients paying invoices through the load
balancer, while a fault schedule keeps the sandbox's fault injection busy; then the check
that every invoice ends as the sandbox says."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import re
import threading
import time
import urllib.error
import urllib.request

from scale.cluster import SANDBOX_KEY, Timeout

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SESSION_ID = re.compile(r"(cs_[A-Za-z0-9_]+)")
# What each invoice's client does, in turn: card payments (one declined first), bank debits
# that settle or fail after processing, a session left open, an invoice never opened.
PLAN = ["card", "card", "card", "card", "card", "declined_then_card", "ach_settles", "ach_fails",
        "open", "none"]  # fmt: skip
EVENT_FAULTS = [("shuffle", 12, 0), ("delay", 20, 3), ("duplicate", 25, 0)]
API_FAULTS = [("500", 3), ("429", 3)]


class Sandbox:
    def __init__(self, base: str) -> None:
        self.base = base
        self.injected: dict[str, int] = {}
        self._current: dict[str, tuple[str, int]] = {}

    def _call(self, method: str, url: str, body: bytes | None, headers: dict) -> tuple[int, dict]:
        request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=90) as response:  # noqa: S310 - loopback
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        status, answer = self._call(method, f"{self.base}/_sandbox/{path}", data,
                                    {"Content-Type": "application/json"})  # fmt: skip
        if status >= 400:
            raise RuntimeError(f"sandbox {method} {path} answered {status}: {answer}")
        return answer

    def api(self, method: str, path: str, account: str = "", ok=(200,)) -> dict:
        headers = {"Authorization": f"Bearer {SANDBOX_KEY}"}
        if account:
            headers["Stripe-Account"] = account
        for _ in range(5):  # our own reads may meet an injected fault too
            status, answer = self._call(method, f"{self.base}{path}", None, headers)
            if status in ok:
                return answer
            if status not in (429, 500):
                raise RuntimeError(f"sandbox {method} {path} answered {status}: {answer}")
            time.sleep(0.2)
        raise RuntimeError(f"sandbox {method} {path} kept failing")

    def supports(self, path: str) -> bool:
        status, _ = self._call("GET", f"{self.base}{path}", None,
                               {"Authorization": f"Bearer {SANDBOX_KEY}"})  # fmt: skip
        return status == 200

    def endpoint_id(self, url: str) -> str:
        for endpoint in self.api("GET", "/v1/webhook_endpoints?limit=100")["data"]:
            if endpoint["url"] == url:
                return endpoint["id"]
        raise RuntimeError(f"no webhook endpoint for {url}")

    def _note_used(self, kind: str) -> None:
        previous = self._current.pop(kind, None)
        if previous:
            remaining = (self.control("GET", "faults").get(kind) or {}).get("remaining", 0)
            mode, count = previous
            key = f"{'event' if kind == 'events' else 'api'}_{mode}"
            self.injected[key] = self.injected.get(key, 0) + max(count - max(remaining, 0), 0)

    def fault_events(self, mode: str, count: int, delay: float = 0) -> None:
        self._note_used("events")
        body = {"mode": mode, "count": count}
        if delay:
            body["delay_seconds"] = delay
        self.control("POST", "faults", {"events": body})
        self._current["events"] = (mode, count)

    def fault_api(self, mode: str, count: int) -> None:
        self._note_used("api")
        self.control("POST", "faults", {"api": {"mode": mode, "count": count}})
        self._current["api"] = (mode, count)

    def faults_figures(self) -> dict[str, int]:
        self._note_used("events")
        self._note_used("api")
        return dict(sorted(self.injected.items()))


def sign(body: bytes, secret: str) -> str:
    timestamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


class Traffic:
    def __init__(self, sb: Sandbox, lb_port: int, setup: dict, clients: int, secret: str,
                 webhook_batches: int = 60, batch: int = 25) -> None:  # fmt: skip
        self.sb, self.lb_port, self.setup, self.clients = sb, lb_port, setup, clients
        self.secret = secret
        self.posted_ids: set[str] = set()
        self.checkout = sb.supports("/v1/checkout/sessions?limit=1")
        accounts = setup["accounts"]
        jobs: list[tuple] = []
        for acct in accounts:
            jobs.append(("account", acct, "payouts_disabled"))
        if self.checkout:
            for i, invoice in enumerate(setup["invoices"]):
                jobs.append(("invoice", invoice, PLAN[i % len(PLAN)]))
        for i, acct in enumerate(accounts):
            if i % 2 == 0:
                jobs.append(("account", acct, "payouts_enabled"))
        # Signed events posted straight to the endpoint (as Stripe would), 10% repeated:
        # spread through the run so the kill and the Redis restart land among them.
        rng = random.Random(8)
        batches = [
            ("webhooks", self._batch(rng, n, batch, accounts), "post")
            for n in range(webhook_batches)
        ]
        merged: list[tuple] = []
        step = max(len(jobs) // max(len(batches), 1), 1)
        for index, job in enumerate(jobs):
            merged.append(job)
            if index % step == 0 and batches:
                merged.append(batches.pop())
        self.jobs = merged + batches
        self.done = 0
        self.lock = threading.Lock()
        self.counts = {"webhooks_posted": 0, "webhook_retries": 0, "account_changes": 0, "pay_started": 0,
                       "card_paid": 0, "card_declined": 0, "ach_settled": 0, "ach_failed": 0,
                       "left_open": 0, "pay_retries": 0, "errors": 0}  # fmt: skip
        self.errors: list[str] = []

    def _batch(self, rng: random.Random, n: int, size: int, accounts: list[str]) -> list[bytes]:
        bodies = []
        for i in range(size):
            event_id = f"evt_scale_{n:03d}_{i:03d}"
            event = {
                "id": event_id, "object": "event", "api_version": "2026-10-28.endive",
                "account": rng.choice(accounts),
                # Older than any account read: already reflected, no API call needed.
                "created": int(time.time()) - 3600, "livemode": False, "pending_webhooks": 1,
                "type": rng.choice(["account.updated", "capability.updated", "customer.created"]),
                "data": {"object": {"id": rng.choice(accounts), "object": "account"}},
            }  # fmt: skip
            bodies.append(json.dumps(event).encode())
            self.posted_ids.add(event_id)
        return bodies + rng.sample(bodies, max(size // 10, 1))

    def describe(self) -> str:
        kinds = {}
        for kind, _, what in self.jobs:
            kinds[f"{kind}:{what}"] = kinds.get(f"{kind}:{what}", 0) + 1
        note = "" if self.checkout else " (the sandbox has no Checkout yet: account traffic only)"
        return f"{len(self.jobs)} jobs {kinds}{note}"

    def progress(self) -> float:
        return self.done / max(len(self.jobs), 1)

    def wait_progress(self, fraction: float, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.progress() < fraction:
            if time.monotonic() > deadline:
                raise Timeout(f"traffic stuck at {self.progress():.0%}")
            time.sleep(0.05)

    def figures(self) -> dict:
        return {
            **self.counts,
            "checkout_in_sandbox": self.checkout,
            "errors_sample": self.errors[:5],
        }

    # -- running ----------------------------------------------------------------------

    def run(self) -> None:
        stop = threading.Event()
        schedule = threading.Thread(target=self._fault_schedule, args=(stop,), daemon=True)
        schedule.start()
        # Account changes are spread through the run: interleave jobs across clients.
        chunks = [self.jobs[i :: self.clients] for i in range(self.clients)]
        threads = [threading.Thread(target=self._client, args=(chunk,)) for chunk in chunks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        stop.set()
        schedule.join(timeout=10)
        if any(t.is_alive() for t in threads):
            raise Timeout("traffic clients did not finish within 240s")

    def _fault_schedule(self, stop: threading.Event) -> None:
        step = 0
        while not stop.is_set():
            mode, count, delay = EVENT_FAULTS[step % len(EVENT_FAULTS)]
            self.sb.fault_events(mode, count, delay)
            api_mode, api_count = API_FAULTS[step % len(API_FAULTS)]
            self.sb.fault_api(api_mode, api_count)
            step += 1
            stop.wait(1.5)

    def _client(self, jobs: list[tuple]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.lb_port, timeout=60)
        for kind, target, what in jobs:
            try:
                if kind == "webhooks":
                    conn = self._post_events(conn, target)
                elif kind == "account":
                    self.sb.control("POST", f"accounts/{target}/state", {"state": what})
                    self._count("account_changes")
                elif what != "none":
                    conn = self._pay(conn, target, what)
                # Pace the run: a few minutes of CI, not a stress test of the sandbox.
                time.sleep(0.02)
            except Exception as error:  # noqa: BLE001 - counted, reported, fails the run
                self._count("errors")
                self.errors.append(f"{kind} {what}: {error!r}"[:300])
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.lb_port, timeout=60)
            with self.lock:
                self.done += 1

    def _count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] += n

    def _post_events(self, conn: http.client.HTTPConnection, bodies: list[bytes]):
        for body in bodies:
            for attempt in range(10):
                headers = {
                    "Content-Type": "application/json",
                    "Stripe-Signature": sign(body, self.secret),
                }
                try:
                    conn.request("POST", "/webhooks/stripe/", body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    if response.status == 200:
                        break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.lb_port, timeout=60)
                # Stripe retries a delivery that did not get a 2xx: so do we.
                self._count("webhook_retries")
                time.sleep(0.2 * (attempt + 1))
            else:
                raise RuntimeError("the webhook endpoint kept refusing an event")
            self._count("webhooks_posted")
        return conn

    def _pay(self, conn: http.client.HTTPConnection, invoice: dict, what: str):
        path = invoice["path"]
        for attempt in range(8):
            conn.request("GET", path)
            response = conn.getresponse()
            page = response.read().decode()
            cookie = response.getheader("Set-Cookie", "").split(";")[0]
            token = CSRF_INPUT.search(page)
            if response.status != 200 or not token:
                raise RuntimeError(f"client page answered {response.status}")
            conn.request("POST", path + "pay/", body=f"csrfmiddlewaretoken={token.group(1)}",
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Cookie": cookie})  # fmt: skip
            response = conn.getresponse()
            response.read()
            location = response.getheader("Location", "")
            if response.status == 303 and SESSION_ID.search(location):
                break
            # Stripe answered 500/429 beyond the SDK's retries: the client presses Pay again.
            self._count("pay_retries")
            time.sleep(0.3 * (attempt + 1))
        else:
            raise RuntimeError(f"Pay kept failing for invoice {invoice['id']}")
        self._count("pay_started")
        session_id = SESSION_ID.search(location).group(1)
        path = f"checkout/sessions/{session_id}/pay"
        if what == "open":
            self._count("left_open")
        elif what in ("card", "declined_then_card"):
            if what == "declined_then_card":
                self.sb.control("POST", path, {"method": "card", "outcome": "decline"})
                self._count("card_declined")
            self.sb.control("POST", path, {"method": "card", "outcome": "succeed"})
            self._count("card_paid")
        else:
            outcome = "succeed" if what == "ach_settles" else "fail_later"
            paid = self.sb.control("POST", path, {"method": "us_bank_account", "outcome": outcome})
            intent = paid["payment_intent"]["id"]
            time.sleep(0.05)
            if what == "ach_settles":
                self.sb.control("POST", f"payment_intents/{intent}/settle", {})
                self._count("ach_settled")
            else:
                self.sb.control("POST", f"payment_intents/{intent}/fail", {})
                self._count("ach_failed")
        return conn

    # -- proof ------------------------------------------------------------------------

    def verify_invoices(self, pg_rows, figures: dict) -> list[str]:
        problems: list[str] = []
        if not self.checkout:
            figures["invoices_checked"] = 0
            return problems
        invoices = {
            pk: (status, paid, total)
            for pk, status, paid, total in pg_rows(
                "SELECT id, status, amount_paid, total FROM invoices_invoice"
            )
        }
        sessions: dict[int, list[tuple[str, str]]] = {}
        for invoice_id, session_id, acct in pg_rows(
            "SELECT invoice_id, checkout_session_id, stripe_account_id FROM payments_onlinepayment "
            "WHERE checkout_session_id <> ''"
        ):
            sessions.setdefault(invoice_id, []).append((session_id, acct))
        statuses: dict[str, int] = {}
        for invoice in self.setup["invoices"]:
            status, paid, total = invoices[invoice["id"]]
            statuses[status] = statuses.get(status, 0) + 1
            truth, processing = 0, False
            for session_id, acct in sessions.get(invoice["id"], []):
                session = self.sb.api("GET", f"/v1/checkout/sessions/{session_id}", account=acct)
                if not session.get("payment_intent"):
                    continue
                intent = self.sb.api(
                    "GET", f"/v1/payment_intents/{session['payment_intent']}", account=acct
                )
                if intent["status"] == "succeeded":
                    truth += intent["amount_received"]
                processing |= intent["status"] == "processing"
            if truth >= total:
                expected = "paid"
            elif processing:
                expected = "payment_processing"
            else:
                expected = "partially_paid" if truth else "open"
            if (status, paid) != (expected, truth):
                problems.append(
                    f"invoice {invoice['id']}: firmpay {status} paid {paid}, sandbox says {expected} paid {truth}"
                )
        figures["invoices_checked"] = len(self.setup["invoices"])
        figures["invoices_by_status"] = statuses
        if problems:
            return [f"{len(problems)} invoices differ from the sandbox: {problems[:5]}"]
        return []
