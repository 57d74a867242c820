"""Fault tests run against their OWN PostgreSQL cluster and Redis server, started here on
free loopback ports in temporary folders, so that they can be stopped, restarted and killed
without touching the machine's shared services. Skipped, with the reason, when the server
binaries are missing."""

import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).resolve().parent / "probe.py"
PYTHON = sys.executable
CELERY = str(Path(sys.executable).with_name("celery"))


def _pg_bin() -> Path | None:
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


class PostgresCluster:
    """A throw-away cluster: initdb in a temporary folder, started with pg_ctl. As root the
    server runs as the `postgres` user, which owns the folder."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="aide-faults-pg-"))
        self.data = self.dir / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, check=True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_user, *args], check=check, capture_output=True, text=True, timeout=120
        )

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            # A backend whose client was killed notices it within a second, releasing locks.
            "-c client_connection_check_interval=1000 -c fsync=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False
        )

    def restart(self) -> None:
        self.stop("fast")
        self.start()

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(
            self.url(database).replace("postgres://", "postgresql://"), autocommit=True
        )

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    def __init__(self, binary: str):
        self.binary = binary
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            # Keep what it holds: a plain stop (SIGTERM) is what an outage looks like to a
            # client; queued messages are lost with a server without persistence, which the
            # dirty-month outbox makes up for.
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture(scope="session")
def fault_cluster():
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL")
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.init()
        with cluster.connect() as conn:
            conn.execute("CREATE DATABASE aide_template")
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=django_env(cluster.url("aide_template")),
            check=True,
            capture_output=True,
            timeout=300,
        )
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="session")
def redis_binary():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    return binary


@pytest.fixture
def redis_server(redis_binary):
    server = RedisServer(redis_binary)
    server.start()
    yield server
    server.stop()


_databases = iter(range(1, 10_000))


@pytest.fixture
def fault_database(fault_cluster):
    """A fresh migrated database in the test's own cluster (copied from a template)."""
    name = f"aide_fault_{next(_databases)}"
    with fault_cluster.connect() as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE aide_template")
    return fault_cluster.url(name)


def django_env(database_url: str, broker_url: str = "", **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        # Development mode, as base gave by default before DEBUG defaulted to off: these tests
        # break services, not the production hardening (tests/test_security.py checks that).
        DJANGO_DEBUG="true",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        # Connections are never reused across tasks or requests in these tests, so a restart
        # is seen at the next unit of work.
        CONN_MAX_AGE="0",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def probe(env: dict, *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [PYTHON, str(PROBE), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def state(env: dict) -> dict:
    return json.loads(probe(env, "state").strip().splitlines()[-1])


def dirty_months(cluster: PostgresCluster, database_url: str) -> int:
    with cluster.connect(database_url.rsplit("/", 1)[1]) as conn:
        return conn.execute("SELECT count(*) FROM workload_dirtymonth").fetchone()[0]


def start_worker(env: dict, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            CELERY,
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop_process(process: subprocess.Popen) -> str:
    """Stop a process group we started, and return what it printed."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    return process.stdout.read() if process.stdout else ""


def wait_until(predicate, timeout: float = 60, interval: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting: {message}")
