"""Serve the lab to a lecture hall without Docker: N warmed replicas behind HAProxy, one URL.

    python scripts/serve.py --replicas 2 --port 8080            # then give students http://THIS-MACHINE:8080/
    python scripts/serve.py --replicas 2 --port 8080 --host 0.0.0.0   # reachable from the room's network

Starts N ``streamlit run`` processes (scripts/replica.py: each warms itself before its health check answers ok)
on free loopback ports, and HAProxy in front of them on ``--host:--port`` with the deployment's own configuration
(deploy/haproxy.cfg, its one ``server-template`` line replaced by the N loopback servers: sticky sessions by
cookie, WebSocket upgrade, long tunnel timeouts, health checks on /_stcore/health, per-IP limits, the upload
cap). Debian's ``haproxy`` is installed when it is missing (apt-get as root, else through sudo), the way
scripts/test.sh installs Chromium.

It prints the one URL for the students once every replica is warm, restarts a replica that dies (it warms again
before the proxy sends it anyone), and on Ctrl-C or SIGTERM stops the proxy and every replica (each is in its own
process group and also dies with this process: no orphans). Logs, the rendered configuration and a state file
(pids, ports, the proxy's admin socket) are in ``--run-dir`` (default run/serve-PORT).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "haproxy.cfg"
SERVERS_MARK = "# servers"
DEFAULTS = {"LAB_CONN_PER_IP": "1000", "LAB_REQ_PER_IP": "20000"}  # per client IP: connections, requests per 10 s
PR_SET_PDEATHSIG = 1


def render_config(text: str, ports: list[int], host: str = "127.0.0.1") -> str:
    """deploy/haproxy.cfg with its one ``server-template ... # servers`` line replaced by a server per port."""
    lines = text.splitlines()
    marked = [k for k, line in enumerate(lines) if line.strip().startswith("server-template")
              and line.rstrip().endswith(SERVERS_MARK)]
    if len(marked) != 1:
        raise ValueError(f"{CONFIG.name} must have exactly one 'server-template ... {SERVERS_MARK}' line")
    k = marked[0]
    indent = lines[k][: len(lines[k]) - len(lines[k].lstrip())]
    servers = [f"{indent}server app{j + 1} {host}:{port}" for j, port in enumerate(ports)]
    return "\n".join(lines[:k] + servers + lines[k + 1:]) + "\n"


def haproxy() -> str:
    """Debian's haproxy, installed when missing (as root directly, else through sudo)."""
    found = shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).is_file()), None)
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if sudo and shutil.which("sudo") is None:
        sys.exit("serve.py: haproxy is missing; install it (apt-get install haproxy) or run as root")
    print("== installing haproxy (apt)", flush=True)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "haproxy"],
                   check=True, stdout=subprocess.DEVNULL)
    # Debian's package starts its own service on :80 where an init system runs; ours is separate (own config).
    found = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(found).is_file():
        sys.exit("serve.py: apt-get installed no haproxy")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def die_with_parent() -> None:
    """In the child before exec: its own process group, and SIGTERM when serve.py dies (even by SIGKILL)."""
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def admin(sock: Path, command: str, timeout: float = 2.0) -> str:
    """One command on HAProxy's runtime API (the stats socket)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(str(sock))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def server_states(sock: Path) -> dict[str, str]:
    """{server name: status} of the replicas backend ('UP', 'DOWN', 'MAINT', ...); {} when the proxy is not up."""
    try:
        text = admin(sock, "show stat")
    except OSError:
        return {}
    rows = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
    return {r[1]: r[17] for r in rows if len(r) > 17 and r[0] == "replicas" and r[1] not in ("BACKEND", "FRONTEND")}


@dataclass
class Replica:
    name: str
    port: int
    log: Path
    stats: Path
    proc: subprocess.Popen | None = None
    started: float = 0.0
    restarts: int = 0


class Deployment:
    """The proxy and its replicas, as child processes of this one."""

    def __init__(self, args, run_dir: Path):
        self.args, self.run_dir = args, run_dir
        self.secret = secrets.token_hex(32)  # server.cookieSecret, the same on every replica
        self.replicas = [Replica(f"app{k + 1}", free_port(), run_dir / f"replica-{k + 1}.log",
                                 run_dir / f"replica-{k + 1}.stats.jsonl") for k in range(args.replicas)]
        self.admin_socket = run_dir / "admin.sock"
        self.proxy: subprocess.Popen | None = None
        self.stopping = False

    # -- processes ---------------------------------------------------------------------------------------------
    def start_replica(self, r: Replica) -> None:
        cmd = [sys.executable, str(ROOT / "scripts" / "replica.py"), "--stats", str(r.stats),
               *(["--no-warm"] if self.args.no_warm else []),
               "--server.port", str(r.port), "--server.address", "127.0.0.1", "--server.headless", "true",
               "--server.fileWatcherType", "none", "--server.disconnectedSessionTTL", f"{self.args.session_ttl:g}"]
        env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": self.secret, "PYTHONUNBUFFERED": "1"}
        with r.log.open("a") as out:
            r.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        r.started = time.monotonic()

    def start_proxy(self, binary: str) -> None:
        config = self.run_dir / "haproxy.cfg"
        config.write_text(render_config(CONFIG.read_text(), [r.port for r in self.replicas]))
        env = {**os.environ, **{k: os.environ.get(k, v) for k, v in DEFAULTS.items()},
               "LAB_BIND": f"{self.args.host}:{self.args.port}", "LAB_ADMIN_SOCKET": str(self.admin_socket),
               "LAB_COOKIE_KEY": secrets.token_hex(16), "LAB_REPLICAS": str(len(self.replicas)),
               "LAB_UPSTREAM": "127.0.0.1:1"}
        check = subprocess.run([binary, "-c", "-q", "-f", str(config)], env=env, capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"serve.py: HAProxy refused the configuration:\n{check.stdout}{check.stderr}")
        with (self.run_dir / "haproxy.log").open("a") as out:
            self.proxy = subprocess.Popen([binary, "-db", "-f", str(config)], env=env, stdout=out,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          preexec_fn=die_with_parent)

    def write_state(self) -> None:
        state = {"url": self.url, "admin_socket": str(self.admin_socket), "proxy_pid": self.proxy.pid,
                 "serve_pid": os.getpid(),
                 "replicas": [{"name": r.name, "port": r.port, "pid": r.proc.pid if r.proc else None,
                               "log": str(r.log), "stats": str(r.stats), "restarts": r.restarts}
                              for r in self.replicas]}
        tmp = self.run_dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(self.run_dir / "state.json")

    @property
    def url(self) -> str:
        host = self.args.host if self.args.host not in ("0.0.0.0", "::") else socket.gethostname()
        return f"http://{host}:{self.args.port}/"

    def stop(self) -> None:
        """SIGTERM to the proxy and every replica (their process groups), SIGKILL to what lingers after 10 s."""
        self.stopping = True
        procs = [p for p in [self.proxy, *(r.proc for r in self.replicas)] if p is not None]
        for p in procs:
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    # -- the loop ----------------------------------------------------------------------------------------------
    def wait_ready(self, timeout: float) -> float:
        """Until every replica is UP in the proxy (warmed and healthy); the seconds it took."""
        began, shown = time.monotonic(), None
        while time.monotonic() - began < timeout:
            self.check_children()
            states = server_states(self.admin_socket)
            up = sum(1 for s in states.values() if s.startswith("UP"))
            if states and up == len(self.replicas):
                return time.monotonic() - began
            if up != shown:
                print(f"   {up} of {len(self.replicas)} replicas warm and up", flush=True)
                shown = up
            time.sleep(0.5)
        raise SystemExit(f"serve.py: the replicas were not all up within {timeout:.0f} s; see {self.run_dir}")

    def check_children(self) -> None:
        """A dead proxy ends the deployment; a dead replica is restarted (it warms again before it is UP)."""
        if self.proxy is not None and self.proxy.poll() is not None and not self.stopping:
            raise SystemExit(f"serve.py: HAProxy exited with {self.proxy.returncode}; see {self.run_dir}/haproxy.log")
        for r in self.replicas:
            if r.proc is not None and r.proc.poll() is not None and not self.stopping:
                code = r.proc.returncode
                if self.args.no_restart:
                    print(f"serve.py: replica {r.name} (port {r.port}) exited with {code}; not restarted", flush=True)
                    r.proc = None
                    continue
                r.restarts += 1
                print(f"serve.py: replica {r.name} (port {r.port}) exited with {code}; restarting it "
                      f"(restart {r.restarts}); its students reconnect to the other replicas", flush=True)
                self.start_replica(r)
                self.write_state()


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 2,
                        help="app processes (default: one per core)")
    parser.add_argument("--port", type=int, default=8080, help="the proxy's port, the one URL (default 8080)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the proxy's address (default 127.0.0.1; 0.0.0.0 for the room's network)")
    parser.add_argument("--no-warm", action="store_true", help="replicas answer at once, cold (no warm-up)")
    parser.add_argument("--no-restart", action="store_true", help="leave a replica that died down")
    parser.add_argument("--session-ttl", type=float, default=120.0,
                        help="server.disconnectedSessionTTL of the replicas (default 120 s)")
    parser.add_argument("--ready-timeout", type=float, default=900.0, help="seconds to wait for the warm-up")
    parser.add_argument("--run-dir", type=Path, help="logs, rendered configuration, state (default run/serve-PORT)")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 64:
        parser.error(f"--replicas must be between 1 and 64, not {args.replicas}")
    if not 1 <= args.port <= 65535:
        parser.error(f"--port must be a TCP port, not {args.port}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not port_free(args.host, args.port):
        print(f"serve.py: {args.host}:{args.port} is in use; choose another --port", file=sys.stderr)
        return 2
    binary = haproxy()
    run_dir = args.run_dir or ROOT / "run" / f"serve-{args.port}"
    run_dir.mkdir(parents=True, exist_ok=True)
    deployment = Deployment(args, run_dir)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    began = time.monotonic()
    try:
        print(f"== starting {args.replicas} replica(s) and HAProxy (logs in {run_dir})", flush=True)
        for r in deployment.replicas:
            deployment.start_replica(r)
        deployment.start_proxy(binary)
        deployment.write_state()
        deployment.wait_ready(args.ready_timeout)
        print(f"== ready in {time.monotonic() - began:.1f} s ({args.replicas} replica(s), "
              f"{'cold' if args.no_warm else 'warmed'}). Give the students this one URL:\n\n    {deployment.url}\n\n"
              f"Ctrl-C stops it.", flush=True)
        while True:
            deployment.check_children()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\n== stopping the proxy and the replicas", flush=True)
        return 0
    finally:
        deployment.stop()


if __name__ == "__main__":
    sys.exit(main())
