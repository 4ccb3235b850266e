"""A throwaway PostgreSQL cluster for the tests: ``initdb`` in a temporary folder, the server on a
Unix socket in it (no TCP port to collide with), stopped and removed after the run.

The Debian ``postgresql`` package's binaries are used where ``PATH`` lacks them. PostgreSQL will
not run as root, so under root (CI) the cluster belongs to the ``postgres`` user the package
creates. Durability is switched off: a test database that a crash loses costs nothing.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

USER = "vipctl"


class Unavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the cluster would not start."""


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    if not versions:
        raise Unavailable(f"{name} not found: install PostgreSQL (apt-get install postgresql)")
    return versions[-1]


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


class Cluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="vipctl-pg-"))
        self._owner: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("running as root and there is no postgres user") from None
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._owner = ["runuser", "-u", "postgres", "--"]
        self.data = self.root / "data"
        self._run(
            _binary("initdb"), "-D", str(self.data), "-U", USER, "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-k {self.root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        self._run(
            _binary("pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "server.log"), "-w", "start",
        )  # fmt: skip

    def _run(self, *command: str) -> None:
        done = subprocess.run([*self._owner, *command], capture_output=True, text=True)
        if done.returncode != 0:
            raise Unavailable(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@/{database}?host={self.root}"

    def stop(self) -> None:
        try:
            self._run(_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
