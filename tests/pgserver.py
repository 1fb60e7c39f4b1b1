"""A PostgreSQL server of one's own for tests: a fresh cluster (initdb) in a
temporary folder, listening on 127.0.0.1 and a free port only (no Unix
socket), stopped when the block ends or when the process that started it
dies, its folder then removed. It can be stopped and started again on the
same cluster and port (a database lost in the middle of a crawl).

PostgreSQL refuses to run as root: as root, the server runs as the `postgres`
user (Debian's package makes it), else as `nobody`. Debian puts the programs
in /usr/lib/postgresql/<version>/bin, off the PATH."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager

from benchmarks.serve import die_with_parent, free_port


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started here."""


def _program(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise PostgresUnavailable(f"{name} is not installed (apt-get install postgresql)")
    return found


def _server_user() -> dict:
    """Popen's arguments that run the server as another user when we are root."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    raise PostgresUnavailable("running as root, with neither a postgres nor a nobody user to run the server as")


class PostgresServer:
    def __init__(self):
        self.postgres = _program("postgres")
        self.as_user = _server_user()
        self.folder = tempfile.mkdtemp(prefix="pgtest-")  # not under pytest's tmp_path, which only root may enter
        if self.as_user:
            os.chown(self.folder, self.as_user["user"], self.as_user["group"])
        self.data = os.path.join(self.folder, "data")
        init = subprocess.run(
            [_program("initdb"), "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}, **self.as_user,
        )  # fmt: skip
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {(init.stderr.strip().splitlines() or ['?'])[-1]}")
        self.port = free_port()
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.proc = None

    def start(self) -> None:
        import psycopg

        self.proc = subprocess.Popen(
            [self.postgres, "-D", self.data, "-h", "127.0.0.1", "-p", str(self.port), "-c", "unix_socket_directories=",
             "-c", "fsync=off", "-c", "full_page_writes=off"],  # the server is never killed by a test
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent, **self.as_user,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.dsn, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise PostgresUnavailable(f"postgres did not start on port {self.port}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown: sessions cut, no waiting for them
            self.proc.wait(timeout=30)
        self.proc = None

    def create_database(self, name: str) -> str:
        """A new empty database; its DSN."""
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.dsn.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def postgres_server():
    """Yields a started PostgresServer."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
