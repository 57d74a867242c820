"""PostgreSQL stops under a running web server: a page, an API read and an API write answer
503 with Retry-After and a message saying nothing was saved; once it is back, the same
requests succeed and the log holds exactly the entries that were acknowledged."""

import subprocess
import tempfile
from pathlib import Path

import pytest
import requests

from tests.factories import entry_fields

from .conftest import (
    PYTHON,
    ROOT,
    _free_port,
    _wait_for_port,
    django_env,
    probe,
    state,
    stop_process,
)

pytestmark = pytest.mark.faults

GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
EMAIL, PASSWORD = "worker@faults.be", "fault-pass-2026-long"
ENTRY = entry_fields(occurred_on="2026-10-12", duration_minutes=20)


@pytest.fixture
def web_server(fault_database):
    """gunicorn serving the app on a free loopback port, against the test's database."""
    env = django_env(fault_database)
    probe(env, "seed", "0")
    subprocess.run(
        [PYTHON, "manage.py", "create_member", "--org", "asbl-faults", "--email", EMAIL]
        + ["--role", "worker", "--password", PASSWORD],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="aide-faults-web-", suffix=".log")
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for_port(port)
        yield f"http://127.0.0.1:{port}", env, log.name
    finally:
        stop_process(server)
        log.close()


def web_session(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/login/", timeout=30)
    response = session.post(
        f"{base}/login/",
        {
            "username": EMAIL,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[-2000:]
    return session


def api_session(base: str) -> requests.Session:
    session = requests.Session()
    response = session.post(
        f"{base}/api/v1/auth/token/", json={"email": EMAIL, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text[-2000:]
    session.headers["Authorization"] = f"Token {response.json()['token']}"
    return session


def assert_unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, response.text[-2000:]
    assert int(response.headers["Retry-After"]) > 0


def test_during_an_outage_pages_and_the_api_answer_503_then_service_resumes_without_loss(
    fault_cluster, web_server
):
    base, env, log = web_server
    browser, api = web_session(base), api_session(base)
    entries = f"{base}/api/v1/assistance-requests/"
    assert browser.get(f"{base}/", timeout=30).status_code == 200
    before = api.post(entries, json=ENTRY, timeout=30)
    assert before.status_code == 201, before.text

    # Given the database stops
    fault_cluster.stop("fast")
    try:
        # When the worker opens a page, an API client reads and another writes
        page = browser.get(f"{base}/", timeout=30)
        read = api.get(entries, timeout=30)
        write = api.post(entries, json={**ENTRY, "duration_minutes": 35}, timeout=30)
        dutch = api.get(entries, headers={"Accept-Language": "nl"}, timeout=30)
    finally:
        fault_cluster.start()

    # Then each is told the service is unavailable, that nothing was saved, and when to retry
    assert_unavailable(page)
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Rien n'a été enregistré." in page.text
    for response in (read, write):
        assert_unavailable(response)
        assert response.json() == {
            "detail": "Le service est momentanément indisponible (base de données "
            "injoignable). Rien n'a été enregistré ; réessayez dans un instant."
        }
    assert_unavailable(dutch)
    assert "Er is niets opgeslagen" in dutch.json()["detail"]
    # The connection error names the server; it stays in the log, never in an answer.
    assert str(fault_cluster.port) not in read.text + write.text + page.text
    assert "database unreachable, answered 503" in Path(log).read_text()

    # And once the database is back, the same session, token and write work again
    assert browser.get(f"{base}/", timeout=30).status_code == 200
    assert api.get(entries, timeout=30).status_code == 200
    after = api.post(entries, json={**ENTRY, "duration_minutes": 35}, timeout=30)
    assert after.status_code == 201

    # With exactly the two acknowledged entries saved, whole, and the figures exact
    saved = state(env)
    assert saved["ids"] == sorted([before.json()["id"], after.json()["id"]])
    listed = api.get(entries, timeout=30).json()["results"]
    assert sorted(row["duration_minutes"] for row in listed) == [20, 35]
    probe(env, "sweep")
    assert state(env)["exact"]
