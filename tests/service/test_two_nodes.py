"""Two web nodes, two workers and two outbox sweeps on one PostgreSQL and one Redis, behind
nginx configured from deploy/nginx/: what one node knows, the other knows; nothing is recorded
or sent twice. Real processes (gunicorn, db_worker, nginx, redis-server), real SMTP server."""

import re
import threading
import time
from collections import Counter

import pytest
import requests
from django.conf import settings
from django.db import connection, transaction

from loadtest import cluster
from portail.accounts.models import SignInThrottle
from portail.correspondence import services as outbox
from portail.correspondence.models import Message
from portail.rents.models import JulyRent, RentDeclaration
from tests.correspondence.conftest import database_url
from tests.factories import PASSWORD, UserFactory
from tests.rents.helpers import make_world
from tests.smtp import SmtpServer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several nodes need PostgreSQL"),
]

QUEUES = settings.TASKS["default"].get("QUEUES", ["default"])


@pytest.fixture(scope="module")
def nodes(django_db_setup, django_db_blocker, tmp_path_factory):
    """Node A and node B (gunicorn), a worker and a sweep per node, nginx, Redis."""
    directory = tmp_path_factory.mktemp("two-nodes")
    processes = cluster.Processes(directory)
    smtp = SmtpServer()
    smtp.start()
    redis_port = cluster.free_port()
    ports = {"a": cluster.free_port(), "b": cluster.free_port(), "proxy": cluster.free_port()}
    try:
        cluster.start_redis(processes, "redis", port=redis_port)
        with django_db_blocker.unblock():
            env = cluster.portal_env(
                database_url=database_url(),
                cache_url=f"redis://127.0.0.1:{redis_port}/0",
                email_url=smtp.url,
                LETTER_SPOOL_DIR=str(directory / "spool"),
            )
        for node in ("a", "b"):  # one gunicorn process per node: fewer to boot at once
            cluster.start_web(
                processes, f"web-{node}", port=ports[node], env=env, workers=1, wait=False
            )
        for node in ("a", "b"):
            cluster.wait_web(f"web-{node}", port=ports[node], processes=processes)
        for node in ("a", "b"):
            for queue in QUEUES:  # one worker per task queue, as make serve runs them
                cluster.start_worker(processes, f"worker-{node}-{queue}", env=env, queue=queue)
            cluster.start_sweep(processes, f"sweep-{node}", env=env, every=0.5)
        cluster.start_nginx(
            processes, "nginx", port=ports["proxy"], upstream_ports=[ports["a"], ports["b"]]
        )
        yield {name: f"http://127.0.0.1:{port}" for name, port in ports.items()} | {
            "smtp": smtp,
            "processes": processes,
        }
    finally:
        processes.stop_all()
        smtp.stop()


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _sign_in(session: requests.Session, base: str, identifier: str, password: str):
    page = session.get(f"{base}/compte/connexion/")
    data = {
        "csrfmiddlewaretoken": _hidden(page.text, "csrfmiddlewaretoken"),
        "identifier": identifier,
        "password": password,
    }
    return session.post(f"{base}/compte/connexion/", data=data, allow_redirects=False)


def test_the_proxy_and_both_nodes_answer_health_with_a_request_id(nodes):
    for name in ("a", "b", "proxy"):
        response = requests.get(f"{nodes[name]}/health/", timeout=5)
        assert response.status_code == 200
        assert response.json() == {"database": "ok", "cache": "ok"}
    through_proxy = requests.get(f"{nodes['proxy']}/", timeout=5)
    assert re.fullmatch(r"[0-9a-f]{32}", through_proxy.headers["X-Request-ID"])  # nginx's


def test_signed_in_through_one_node_the_session_works_on_the_other(nodes):
    world = make_world()
    session = requests.Session()
    signed_in = _sign_in(session, nodes["a"], world.user.identifier, PASSWORD)
    assert signed_in.status_code == 302
    tenants = session.get(
        f"{nodes['b']}/parcs/{world.portfolio.pk}/locataires/", allow_redirects=False
    )
    assert tenants.status_code == 200 and "Alice ARNAUD" in tenants.text
    session.post(
        f"{nodes['b']}/compte/deconnexion/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
    )
    signed_out = session.get(f"{nodes['a']}/parcs/", allow_redirects=False)
    assert signed_out.status_code == 302 and "/compte/connexion/" in signed_out.headers["Location"]


def test_failed_sign_ins_lock_the_identifier_across_nodes(nodes):
    user = UserFactory()
    for attempt in range(5):  # IDENTIFIER_LOCK_THRESHOLD, alternating nodes
        node = nodes["a"] if attempt % 2 == 0 else nodes["b"]
        refused = _sign_in(requests.Session(), node, user.identifier, "pas-le-bon-mot-de-passe")
        assert refused.status_code == 200
    for node in ("a", "b"):
        locked = _sign_in(requests.Session(), nodes[node], user.identifier, PASSWORD)
        assert locked.status_code == 200 and "la connexion est bloquée" in locked.text


def test_the_proxy_reports_the_client_address_and_a_client_cannot_choose_it(nodes):
    user = UserFactory()
    session = requests.Session()
    session.headers["X-Real-IP"] = "203.0.113.9"  # overwritten by nginx
    _sign_in(session, nodes["proxy"], user.identifier, "pas-le-bon-mot-de-passe")
    keys = set(SignInThrottle.objects.filter(scope="ip").values_list("key", flat=True))
    assert "127.0.0.1" in keys and "203.0.113.9" not in keys


def _ask_for_a_password(session: requests.Session, base: str, email: str) -> str:
    from captcha.models import CaptchaStore

    form = session.get(f"{base}/compte/mot-de-passe-perdu/").text
    key = _hidden(form, "captcha_0")
    answer = CaptchaStore.objects.get(hashkey=key).response
    response = session.post(
        f"{base}/compte/mot-de-passe-perdu/",
        data={
            "csrfmiddlewaretoken": _hidden(form, "csrfmiddlewaretoken"),
            "email": email,
            "captcha_0": key,
            "captcha_1": answer,
        },
        allow_redirects=False,
    )
    return response.text if response.status_code == 200 else response.headers["Location"]


def test_recovery_limits_count_across_nodes_and_each_mail_goes_once(nodes):
    user = UserFactory(email="recuperation@example.org", email_confirmed=True)
    outcomes = [
        _ask_for_a_password(requests.Session(), nodes["a" if n % 2 else "b"], user.email)
        for n in range(11)
    ]
    assert all(outcome.endswith("/mot-de-passe-perdu/envoye/") for outcome in outcomes[:10])
    assert "beaucoup de demandes" in outcomes[10]  # 10 per address per hour, both nodes
    sent = _wait_sent(nodes["smtp"], lambda mail: mail["To"] == user.email, expected=3)
    assert len(sent) == 3  # 3 per account per hour, both nodes
    assert max(Counter(str(mail["Message-ID"]) for mail in sent).values()) == 1


def _wait_sent(smtp, keep, *, expected: int, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [mail for mail in list(smtp.messages) if keep(mail)]
        if len(found) >= expected:
            time.sleep(1.5)  # a duplicate would arrive now
            return [mail for mail in list(smtp.messages) if keep(mail)]
        time.sleep(0.2)
    return [mail for mail in list(smtp.messages) if keep(mail)]


def test_a_declaration_submitted_through_both_nodes_at_once_records_once(nodes):
    world = make_world()
    session = requests.Session()
    assert _sign_in(session, nodes["proxy"], world.user.identifier, PASSWORD).status_code == 302
    path = f"/parcs/{world.portfolio.pk}/locataires/{world.known.pk}/loyer/"
    page = session.get(f"{nodes['a']}{path}").text
    data = {
        "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"),
        "token": _hidden(page, "token"),
        "version": _hidden(page, "version"),
        "amount": "655,00",
        "action": "envoyer",
    }
    start = threading.Barrier(2)
    answers = {}

    def submit(node):
        start.wait()
        answers[node] = session.post(f"{nodes[node]}{path}", data=data, allow_redirects=False)

    threads = [threading.Thread(target=submit, args=(node,)) for node in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [answers[node].status_code for node in ("a", "b")] == [302, 302]
    assert answers["a"].headers["Location"] == answers["b"].headers["Location"]
    rent = JulyRent.objects.get(tenancy=world.known, year=2026)
    assert (rent.version, str(rent.amount)) == (1, "655.00")
    assert not RentDeclaration.objects.filter(tenancy=world.known).exists()


def test_messages_raced_by_two_workers_and_two_sweeps_are_each_sent_once(nodes):
    user = UserFactory(email="courriers@example.org")
    with transaction.atomic():
        pks = [
            outbox.queue_message(
                user=user,
                kind="notice",
                channel=Message.Channel.EMAIL,
                template="notice",
                context={"title": f"Message {n}", "paragraphs": ["Bonjour."]},
            ).pk
            for n in range(150)
        ]
    sent = _wait_sent(nodes["smtp"], lambda mail: mail["To"] == user.email, expected=150)
    received = Counter(str(mail["Message-ID"]) for mail in sent)
    assert len(received) == 150 and max(received.values()) == 1
    assert Message.objects.filter(pk__in=pks, status=Message.Status.SENT).count() == 150
    logs = "".join(
        nodes["processes"].log(f"worker-{node}-{queue}") for node in ("a", "b") for queue in QUEUES
    )
    assert "Traceback" not in logs
