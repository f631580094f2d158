"""The campaign opening as locust users (loadtest/run.py starts it headless, on loopback).

Landlords sign in, open Mes parcs and their tenant list (pages, a search), declare a July rent
(entry, summary, sending, acknowledgement and its PDF), read Mes courriers and sign in again;
big landlords also send a file of rents; people who lost their password go through the
captcha; agents search landlords and validate receipts. Every user comes from an address of
its own in 127.0.0.0/8, as real landlords come from many addresses (the proxy reports it).

The captcha is solved by reading its answer in the database (``captcha_captchastore``), which
only someone with database access can do: the portal has no setting that weakens it.

Environment (set by loadtest/run.py): LOAD_DATABASE_URL (the captcha's answers), LOAD_LANDLORDS,
LOAD_BIG, LOAD_USER_RATE (tasks per second per user; unset: as fast as possible),
LOAD_MAX_REQUESTS (stop after this many), LOAD_ACKS (file of acknowledged declarations),
LOAD_CPU_FILE (where the generator writes its own CPU seconds).
"""

import json
import os
import random
import re
import time
from urllib.parse import urlsplit

from geventhttpclient.client import HTTPClientPool
from geventhttpclient.connectionpool import ConnectionPool
from locust import FastHttpUser, between, constant_throughput, events, task

from loadtest.dataset import BIG_PORTFOLIO, PASSWORD, STAFF_KEY_HEX, tenancies_of

LANDLORDS = int(os.environ.get("LOAD_LANDLORDS", "100000"))
BIG = int(os.environ.get("LOAD_BIG", "20"))
RATE = os.environ.get("LOAD_USER_RATE")
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "1000000"))
TOTP_STEP = 30  # seconds, django-otp's default for a TOTP device
ACKS_FILE = os.environ.get("LOAD_ACKS", "var/load/acks.jsonl")
FAILURES_FILE = os.environ.get("LOAD_FAILURES")
CPU_FILE = os.environ.get("LOAD_CPU_FILE")
_HIDDEN = re.compile(r'name="([^"]+)" value="([^"]*)"')
_first_tenancy = [0, 1]  # landlord n's first tenancy id is _first_tenancy[n]
for _n in range(1, LANDLORDS + 1):
    _first_tenancy.append(_first_tenancy[-1] + tenancies_of(_n, BIG))
_requests = {"count": 0}
_acks = []


def wait():
    return constant_throughput(float(RATE)) if RATE else between(0, 0.05)


def fields(html: str) -> dict:
    return dict(_HIDDEN.findall(html))


def rent_2025(tenancy_id: int) -> str:
    return f"{450 + tenancy_id % 500},00"  # loadtest/dataset.py's July 2025 rents


def random_address() -> str:
    return f"127.{random.randint(1, 250)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def record_failure(response) -> None:
    """One line per failed request (loadtest/faults.py reads when, what and which page)."""
    if not FAILURES_FILE:
        return
    text = response.text or ""
    line = {
        "at": time.time(),
        "url": urlsplit(response.url or "").path,
        "status": response.status_code,
        "french_503": response.status_code == 503 and "Service momentanément indisponible" in text,
        "trace": "Traceback" in text or 'File "/' in text,
    }
    with open(FAILURES_FILE, "a") as out:
        out.write(json.dumps(line) + "\n")


class _SourceBoundPool(ConnectionPool):
    """geventhttpclient's connection pool, its sockets bound to one source address."""

    source_address = "127.0.0.1"

    def _create_tcp_socket(self, family, socktype, protocol):
        sock = super()._create_tcp_socket(family, socktype, protocol)
        sock.bind((self.source_address, 0))
        return sock


class AddressClientPool(HTTPClientPool):
    """Connections from one loopback address (each user is a different client). geventhttpclient
    has no source-address option: the pool of each client it makes is given the bound class."""

    def __init__(self, address: str):
        super().__init__(concurrency=1, network_timeout=60.0, connection_timeout=60.0)
        self.address = address

    def get_client(self, url):
        client = super().get_client(url)
        pool = client._connection_pool
        if not isinstance(pool, _SourceBoundPool):
            pool.__class__ = _SourceBoundPool
            pool.source_address = self.address
        return client


@events.request.add_listener
def _count(**kwargs):
    _requests["count"] += 1
    if _requests["count"] >= MAX_REQUESTS and _requests.get("runner"):
        _requests["runner"].quit()


@events.init.add_listener
def _remember_runner(environment, **kwargs):
    _requests["runner"] = environment.runner


@events.test_start.add_listener
def _cpu_at_start(**kwargs):
    _requests["cpu"] = time.process_time()


@events.quitting.add_listener
def _write_cpu(environment, **kwargs):
    """The generator's own CPU seconds from the first user to the end (its start-up left out)."""
    if CPU_FILE and "cpu" in _requests:
        with open(CPU_FILE, "w") as out:
            out.write(f"{time.process_time() - _requests['cpu']:.3f}\n")


@events.quitting.add_listener
def _write_acks(environment, **kwargs):
    os.makedirs(os.path.dirname(ACKS_FILE) or ".", exist_ok=True)
    with open(ACKS_FILE, "a") as out:
        for ack in _acks:
            out.write(json.dumps(ack) + "\n")


class Client(FastHttpUser):
    """A visitor, with geventhttpclient (locust's FastHttpUser): the generator runs on the
    portal's own cores here, and costs a fraction of python-requests' CPU a request."""

    abstract = True
    wait_time = wait()

    def on_start(self):
        self.from_new_address()

    def from_new_address(self):
        """Connect from now on from another address of 127.0.0.0/8."""
        self.client.client.clientpool.close()
        self.client.client.clientpool = AddressClientPool(random_address())

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == name), "")

    def expect(self, response, *statuses):
        """Mark the request failed unless it has one of these statuses."""
        if response.status_code not in statuses:
            response.failure(f"HTTP {response.status_code}")
            record_failure(response)
        else:
            response.success()
        return response

    def get(self, url, name, *statuses, **kwargs):
        with self.client.get(
            url, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            return self.expect(response, *(statuses or (200,)))

    def post(self, url, name, data, *statuses, **kwargs):
        with self.client.post(
            url, name=name, data=data, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            return self.expect(response, *(statuses or (302,)))


class Landlord(Client):
    """A landlord of one to twelve tenancies (or of 10,000 for BigLandlord)."""

    weight = 20

    def pick(self) -> int:
        return random.randint(BIG + 1, LANDLORDS)

    def on_start(self):
        super().on_start()
        self.number = self.pick()
        self.sign_in()

    def sign_in(self):
        from portail.accounts import rules

        page = self.get("/compte/connexion/", "sign-in form")
        data = {
            "csrfmiddlewaretoken": fields(page.text).get("csrfmiddlewaretoken", ""),
            "identifier": rules.format_identifier(self.number),
            "password": PASSWORD,
        }
        self.post("/compte/connexion/", "sign-in", data)

    @task(3)
    def parcs_and_list(self):
        self.get("/parcs/", "parcs", 302)
        self.get(f"/parcs/{self.number}/locataires/", "tenant list")

    @task(1)
    def list_search(self):
        self.get(
            f"/parcs/{self.number}/locataires/?q=LOCATAIRE{random.randint(1, 990)}",
            "tenant list search",
        )

    @task(4)
    def declare(self):
        first, last = _first_tenancy[self.number], _first_tenancy[self.number + 1] - 1
        tenancy = random.randint(first, last)
        if tenancy % 50 == 0:  # July 2025 unknown: a receipt is asked, not a declaration
            neighbours = [t for t in (tenancy - 1, tenancy + 1) if first <= t <= last]
            if not neighbours:  # the landlord's only tenancy: nothing to declare
                return
            tenancy = neighbours[0]
        url = f"/parcs/{self.number}/locataires/{tenancy}/loyer/"
        page = self.get(url, "declare form")
        data = {
            **{
                k: v
                for k, v in fields(page.text).items()
                if k in ("csrfmiddlewaretoken", "token", "version")
            },
            "amount": rent_2025(tenancy),
        }
        self.post(url, "declare summary", {**data, "action": "verifier"}, 200)
        sent = self.post(url, "declare send", {**data, "action": "envoyer"}, 302)
        location = sent.headers.get("Location", "")
        match = re.search(r"/accuses/(\d+)/", location)
        if match:
            _acks.append(
                {
                    "submission": int(match.group(1)),
                    "tenancy": tenancy,
                    "amount": rent_2025(tenancy).replace(",", "."),
                    "at": time.time(),
                }
            )
            self.get(location, "acknowledgement")
            self.get(f"{location}accuse.pdf", "acknowledgement PDF")

    @task(1)
    def courriers(self):
        self.get("/courriers/", "Mes courriers")

    @task(1)
    def sign_out_and_in(self):
        token = self.cookie("csrftoken")
        self.post("/compte/deconnexion/", "sign-out", {"csrfmiddlewaretoken": token})
        self.sign_in()


class BigLandlord(Landlord):
    """A landlord of 10,000 tenancies: long lists, pages, files of rents."""

    weight = 2

    def pick(self) -> int:
        return random.randint(1, BIG)

    @task(2)
    def list_page(self):
        self.get(
            f"/parcs/{self.number}/locataires/?page={random.randint(2, 200)}", "tenant list page n"
        )

    @task(2)
    def file_of_rents(self):
        first = _first_tenancy[self.number]
        start = first + random.randrange(0, BIG_PORTFOLIO - 60)
        lines = "\n".join(
            f"{10_000_000 + t};{rent_2025(t)}" for t in range(start, start + 50) if t % 50
        )
        base = f"/parcs/{self.number}/depots/"
        page = self.get(base, "file of rents form")
        token = fields(page.text).get("csrfmiddlewaretoken", "")
        sent = self.post(
            base,
            "file of rents send",
            {"csrfmiddlewaretoken": token},
            302,
            files={"file": ("loyers.csv", lines.encode(), "text/csv")},
        )
        detail = sent.headers.get("Location", "")
        if detail:
            self.get(detail, "file of rents checked")
            self.post(
                f"{detail}enregistrer/", "file of rents record", {"csrfmiddlewaretoken": token}, 302
            )


class LostPassword(Client):
    """Someone who lost a password: the form, the captcha image, the answer (from the
    database), the request; each attempt from a new address."""

    weight = 2

    @task
    def recover(self):
        self.from_new_address()
        page = self.get("/compte/mot-de-passe-perdu/", "recovery form")
        data = fields(page.text)
        key = data.get("captcha_0", "")
        self.get(f"/captcha/image/{key}/", "captcha image")
        self.post(
            "/compte/mot-de-passe-perdu/",
            "recovery send",
            {
                "csrfmiddlewaretoken": data.get("csrfmiddlewaretoken", ""),
                "email": f"bailleur{random.randint(1, LANDLORDS)}@exemple.fr",
                "captcha_0": key,
                "captcha_1": captcha_answer(key),
            },
        )


def captcha_answer(key: str) -> str:
    import psycopg

    connection = _requests.get("db")
    if connection is None:
        connection = _requests["db"] = psycopg.connect(
            os.environ["LOAD_DATABASE_URL"], autocommit=True
        )
    row = connection.execute(
        "SELECT response FROM captcha_captchastore WHERE hashkey = %s", [key]
    ).fetchone()
    return row[0] if row else ""


class Agent(Client):
    """An agent: signs in with a password and a TOTP code, searches landlords, validates
    receipts (each agent its own share of the queue)."""

    fixed_count = 2
    counter = 0

    def on_start(self):
        super().on_start()
        Agent.counter += 1
        self.index = Agent.counter
        self.next_receipt = self.index
        page = self.get("/agence/connexion/", "staff sign-in form")
        token = fields(page.text).get("csrfmiddlewaretoken", "")
        step = self.post(
            "/agence/connexion/",
            "staff sign-in",
            {
                "csrfmiddlewaretoken": token,
                "identifier": f"agent.charge{self.index}",
                "password": PASSWORD,
            },
        )
        code_url = step.headers.get("Location", "/agence/connexion/code/")
        page = self.get(code_url, "staff code form")
        if self.send_code(code_url, page, token, 200, 302).status_code != 302:
            # The same agent signed in during the phase before, maybe in this 30 s step: the
            # portal refuses a TOTP code twice (replay), so the next step's code is sent.
            time.sleep(TOTP_STEP - time.time() % TOTP_STEP + 1)
            self.send_code(code_url, self.get(code_url, "staff code form"), token)

    def send_code(self, code_url, page, token, *statuses):
        """Post the TOTP code of the current step on the code form ``page``."""
        from django_otp.oath import totp

        data = {
            "csrfmiddlewaretoken": fields(page.text).get("csrfmiddlewaretoken", token),
            "code": f"{totp(bytes.fromhex(STAFF_KEY_HEX)):06d}",
        }
        return self.post(code_url, "staff code", data, *statuses)

    @task(3)
    def search(self):
        self.get(f"/agence/bailleurs/?q=bailleur{random.randint(1, 996)}", "staff search", 200, 302)

    @task(2)
    def validate_receipt(self):
        self.get("/agence/quittances/", "staff receipts")
        receipt = self.next_receipt
        self.next_receipt += 4
        url = f"/agence/quittances/{receipt}/"
        page = self.get(url, "staff receipt", 200, 404)
        if page.status_code == 200:
            self.post(
                url,
                "staff receipt validate",
                {
                    "csrfmiddlewaretoken": fields(page.text).get("csrfmiddlewaretoken", ""),
                    "decision": "validate",
                    "amount": "600,00",
                },
            )


class SignInLoop(Client):
    """New visitors signing in, one after the other (phase 3 of loadtest/run.py): each fetches
    the sign-in page with no cookie and posts the identifier and password of a landlord drawn
    at random, as at the campaign's opening (a visitor's session then expires on its own)."""

    @task
    def visit(self):
        self.client.cookiejar.clear()
        self.number = random.randint(BIG + 1, LANDLORDS)
        Landlord.sign_in(self)
