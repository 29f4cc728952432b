"""The deployment (deploy/, scripts/serve.py, scripts/replica.py), checked without a Docker engine.

- deploy/compose.yaml is valid under the Compose Specification's own JSON schema (tests/deploy/compose-spec.json,
  from compose-spec/compose-spec, Apache-2.0) and says what the README promises: N replicas of the image's
  command, their health check on /_stcore/health, the official HAProxy image in front with deploy/haproxy.cfg.
- deploy/haproxy.cfg is accepted by ``haproxy -c`` (Debian's 2.6, the image's major version) both as Docker runs
  it and as scripts/serve.py renders it, and the two differ only in the server lines.
- A replica answers 503 "warming up" until its warm-up is done, and after it no first load solves anything.
- Slow: scripts/serve.py with 2 replicas serves through the proxy, a replica killed during a load run costs no
  errors (its sessions reconnect), and SIGTERM leaves no process behind.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import harness  # noqa: E402
import serve  # noqa: E402

ENV = {"LAB_COOKIE_SECRET": "ab" * 32}
# Streamlit's metrics page as a client may spell it: Streamlit percent-decodes the path, and a trailing slash or a
# query string reaches the same handler.
METRICS_PATHS = ("/_stcore/metrics", "/_stcore/%6Detrics", "/_stcore/metric%73", "/_stcore%2Fmetrics",
                 "/_stcore/metrics/", "/_stcore/metrics?x=1")


def interpolated(text: str, env: dict) -> str:
    """Compose's variable interpolation: ${X}, ${X:-default}, ${X-default}, ${X:?error}, ${X?error}."""

    def value(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        if name in env:
            return env[name]
        if op in (":?", "?"):
            raise KeyError(f"{name}: {arg}")
        return arg

    return re.sub(r"\$\{(\w+)(?:(:?[-?])((?:[^{}]|\$\([^)]*\))*))?\}", value, text)


def walk(node, env: dict):
    """Interpolate every string of the parsed file (as Compose does: after parsing, so values stay strings)."""
    if isinstance(node, dict):
        return {k: walk(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [walk(v, env) for v in node]
    return interpolated(node, env) if isinstance(node, str) else node


def compose(env: dict | None = None) -> dict:
    return walk(yaml.safe_load((DEPLOY / "compose.yaml").read_text()), {**ENV, **(env or {})})


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").is_file() else None)
    if found is None:
        pytest.fail("Debian's haproxy is missing (scripts/test.sh installs it: apt-get install haproxy)")
    return found


def haproxy_check(config: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([haproxy_binary(), "-c", "-f", str(config)], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


def docker_env(tmp_path: Path) -> dict:
    """The proxy's environment as compose.yaml gives it (with the admin socket somewhere writable here)."""
    env = {k: str(v) for k, v in compose()["services"]["proxy"]["environment"].items()}
    env["LAB_ADMIN_SOCKET"] = str(tmp_path / "admin.sock")
    return env


# -- compose.yaml ----------------------------------------------------------------------------------------------
def test_compose_file_is_valid_under_the_compose_specification():
    schema = json.loads((ROOT / "tests" / "deploy" / "compose-spec.json").read_text())
    validator = jsonschema.Draft7Validator(schema)  # the schema's own draft
    validator.validate(compose())
    validator.validate(compose({"LAB_REPLICAS": "4", "LAB_PORT": "80"}))
    with pytest.raises(jsonschema.ValidationError):  # and the schema does catch a broken file
        validator.validate({**compose(), "services": {"app": {"deploy": {"replicas": [2]}}}})


def test_compose_file_refuses_to_start_without_a_cookie_secret():
    with pytest.raises(KeyError, match="LAB_COOKIE_SECRET"):
        walk(yaml.safe_load((DEPLOY / "compose.yaml").read_text()), {})


def test_compose_runs_n_warmed_replicas_of_the_image_behind_the_official_haproxy():
    services = compose({"LAB_REPLICAS": "3"})["services"]
    app, proxy = services["app"], services["proxy"]
    assert app["deploy"]["replicas"] in (3, "3")
    assert compose()["services"]["app"]["deploy"]["replicas"] in (2, "2")
    dockerfile_cmd = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD"))
    assert app["command"] == json.loads(dockerfile_cmd.removeprefix("CMD").strip())
    assert "/_stcore/health" in " ".join(app["healthcheck"]["test"])
    assert app["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"]  # the same on every replica
    assert re.fullmatch(r"haproxy:2\.6(\.\d+)?(-\w+)?", proxy["image"]), proxy["image"]
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    assert proxy["environment"]["LAB_UPSTREAM"] == "app:8501" and "8501" in app["expose"]
    assert str(proxy["environment"]["LAB_REPLICAS"]) == str(app["deploy"]["replicas"])  # one slot per replica


# -- haproxy.cfg -----------------------------------------------------------------------------------------------
def config_text() -> str:
    return (DEPLOY / "haproxy.cfg").read_text()


def test_haproxy_accepts_the_configuration_as_docker_runs_it(tmp_path):
    result = haproxy_check(DEPLOY / "haproxy.cfg", docker_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_haproxy_accepts_the_configuration_as_serve_renders_it(tmp_path):
    rendered = tmp_path / "haproxy.cfg"
    rendered.write_text(serve.render_config(config_text(), [41001, 41002]))
    env = {**docker_env(tmp_path), "LAB_BIND": "127.0.0.1:41000"}
    result = haproxy_check(rendered, env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_serve_changes_only_the_server_lines():
    before = config_text().splitlines()
    after = serve.render_config(config_text(), [41001, 41002, 41003]).splitlines()
    removed = [line for line in before if line not in after]
    added = [line for line in after if line not in before]
    assert len(removed) == 1 and removed[0].strip().startswith("server-template")
    assert [line.split() for line in added] == [["server", f"app{k}", f"127.0.0.1:4100{k}"] for k in (1, 2, 3)]


def directives() -> list[str]:
    return [" ".join(line.split("#")[0].split()) for line in config_text().splitlines() if line.split("#")[0].strip()]


def test_sticky_cookie_websockets_long_tunnels_and_health_checks():
    lines = directives()
    assert any(line.startswith("cookie lab_replica insert") for line in lines)  # a cookie: a NAT'd hall spreads
    assert "balance leastconn" in lines and any(line.startswith("option redispatch") for line in lines)
    assert "retry-on all-retryable-errors" in lines  # a GET a dying replica dropped goes to another one
    tunnel = next(line for line in lines if line.startswith("timeout tunnel"))
    assert re.fullmatch(r"timeout tunnel (\d+)h", tunnel) and int(tunnel.split()[-1][:-1]) >= 1
    assert "http-check send meth GET uri /_stcore/health" in lines and "http-check expect string ok" in lines
    assert not any("http-server-close" in line or "httpclose" in line for line in lines)  # WebSocket upgrade


def test_per_ip_limits_and_the_upload_cap():
    lines = directives()
    assert any("store conn_cur,http_req_rate" in line for line in lines)
    assert any("sc0_conn_cur gt" in line for line in lines) and any("sc0_http_req_rate gt" in line for line in lines)
    cap = next(line for line in lines if "req.hdr_val(content-length) gt" in line)
    limit = int(re.search(r"gt (\d+)", cap).group(1))
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    assert streamlit * 1024 * 1024 < limit <= 2 * streamlit * 1024 * 1024 and "deny_status 413" in cap


def test_the_metrics_endpoint_is_closed_at_the_proxy():
    assert "http-request deny deny_status 404 if { path,url_dec -m reg /_stcore/metrics/*$ }" in directives()


def test_the_running_proxy_refuses_every_spelling_of_the_metrics_path(tmp_path):
    """Debian's haproxy with the configuration as serve renders it, in front of a stub replica that answers every
    path: the metrics page never reaches the replica, whatever its spelling; other paths do."""
    import http.server
    import threading

    seen: list[str] = []

    class Replica(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Replica)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    port = harness.free_port()
    rendered = tmp_path / "haproxy.cfg"
    rendered.write_text(serve.render_config(config_text(), [stub.server_address[1]]))
    env = {**os.environ, **docker_env(tmp_path), "LAB_BIND": f"127.0.0.1:{port}"}
    proxy = subprocess.Popen([haproxy_binary(), "-db", "-f", str(rendered)], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:  # until the replica passed its health check and is in the pool
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as answer:
                    assert answer.read() == b"ok"
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline and proxy.poll() is None, "the proxy never served the replica"
                time.sleep(0.2)
        for path in METRICS_PATHS:
            with pytest.raises(urllib.error.HTTPError) as closed:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
            assert closed.value.code == 404, path
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/worst-case?eps=0.5", timeout=5) as answer:
            assert answer.status == 200
        assert not [p for p in seen if "metric" in urllib.parse.unquote(p)], seen
        assert "/worst-case?eps=0.5" in seen
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        stub.shutdown()


def test_tls_termination_is_documented():
    text = config_text() + (DEPLOY / "README.md").read_text()
    assert "ssl crt" in text and "TLS" in (DEPLOY / "README.md").read_text()


# -- a replica -------------------------------------------------------------------------------------------------
def health(base: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def last_stats(path: Path) -> dict:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return json.loads(lines[-1])


@pytest.mark.slow
def test_a_replica_is_unhealthy_until_warm_and_then_first_loads_solve_nothing(tmp_path):
    from ui.warm import warm

    port, stats, log = harness.free_port(), tmp_path / "stats.jsonl", tmp_path / "replica.log"
    cmd = [sys.executable, str(ROOT / "scripts" / "replica.py"), "--stats", str(stats), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        answers = []
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                answers.append(health(base))
            except OSError:
                time.sleep(0.2)
                continue
            if answers[-1] == (200, "ok"):
                break
            time.sleep(0.2)
        assert answers[-1] == (200, "ok"), log.read_text()
        assert (503, "warming up") in answers  # it was up but not healthy while it warmed
        assert "warm-up:" in log.read_text() and "(0 errors)" in log.read_text(), log.read_text()
        time.sleep(1.0)
        solved = last_stats(stats)["solves"]
        with ThreadPoolExecutor(1) as pool:  # a loop of its own (another test may leave one running here)
            again = pool.submit(asyncio.run, warm(base)).result()  # every view a first load can open, each a session
        assert not again.errors, again.errors
        time.sleep(1.0)
        assert last_stats(stats)["solves"] == solved, "a first load after the warm-up solved something"
    finally:
        harness.stop_server(proc)


# -- serve.py end to end ---------------------------------------------------------------------------------------
def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
def test_serve_two_replicas_through_the_proxy_survives_a_killed_replica_and_stops_clean(tmp_path):
    port, run_dir = harness.free_port(), tmp_path / "run"
    out = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve.py"), "--replicas", "2", "--port",
                             str(port), "--run-dir", str(run_dir), "--session-ttl", "2"],
                            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    log = tmp_path / "serve.log"
    try:
        deadline = time.monotonic() + 900
        while "Give the students this one URL" not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        assert f"http://127.0.0.1:{port}/" in log.read_text()
        for path in METRICS_PATHS:  # Streamlit's metrics stay behind the proxy, however the path is spelt
            with pytest.raises(urllib.error.HTTPError) as closed:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30)
            assert closed.value.code == 404, path
        state = json.loads((run_dir / "state.json").read_text())
        stats = [a for r in state["replicas"] for a in ("--stats", r["stats"])]
        load = [sys.executable, str(ROOT / "scripts" / "load.py"), "--url", f"http://127.0.0.1:{port}", *stats,
                "--sessions", "20", "--reruns", "5", "--ramp", "5", "--think", "0.2", "--session-ttl", "2",
                "--deadline", "600", "--json", "--out", str(tmp_path / "load")]
        result = subprocess.run(load, capture_output=True, text=True, timeout=700, cwd=ROOT)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        report = json.loads(result.stdout)
        assert report["errors"] == 0, report["error_examples"]
        assert report["finished_sessions"] == 20 and report["move"]["count"] == 100
        assert report["replicas_seen"] == 2  # the proxy's sticky cookie named both replicas
        for server in report["servers"]:
            assert server["active_sessions_after"] == 0 and server["sessions_held_after"] == 0
            assert server["session_threads"]["after"] <= server["session_threads"]["baseline"]
            assert server["solves_during"] == 0  # warmed: the hall's first loads solved nothing

        # The fault drill: one replica killed while 20 sessions move their sliders.
        victim = state["replicas"][0]["pid"]
        drill = [arg for arg in load if arg not in stats] + ["--kill", str(victim), "--kill-at", "3",
                                                             "--think", "0.5"]
        result = subprocess.run(drill, capture_output=True, text=True, timeout=700, cwd=ROOT)
        report = json.loads(result.stdout)
        assert report["errors"] == 0, report["error_examples"]
        assert report["finished_sessions"] == 20 and report["faults"] == [f"SIGKILL to {victim} at 3 s"]
        assert report["reconnects"] >= 1  # the killed replica's sessions came back on the other one
        deadline = time.monotonic() + 60
        while "restarting it" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        state = json.loads((run_dir / "state.json").read_text())
        children = [state["proxy_pid"], *(r["pid"] for r in state["replicas"])]
        assert all(alive(pid) for pid in children)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        out.close()
    assert proc.returncode == 0, log.read_text()
    assert "stopping the proxy and the replicas" in log.read_text()
    time.sleep(0.5)
    assert not [pid for pid in children if alive(pid)], "processes left behind after SIGTERM"


def test_a_served_copy_watches_no_files():
    """Streamlit's file watcher registers every imported module per session and polls them: 2.5x the CPU per run
    of a warmed replica (.streamlit/config.toml). Every way of serving reads that file (app.py's directory)."""
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["fileWatcherType"] == "none" and server["runOnSave"] is False
