"""``python -m deploy.serve [run|config] [--processes N] ...``: N Streamlit processes on one database behind nginx.

``run`` (the default; ``make serve N=2``) starts N processes of ``streamlit run app.py`` on 127.0.0.1 (or
``--app-address``), consecutive ports from ``--app-port``, all on the database of TRACKER_DATABASE_URL and with one
secret key (TRACKER_SECRET_KEY, or the key file the app would generate, read once here and handed to every process),
waits until each answers ``/_stcore/health``, then runs Debian's nginx in the foreground as the same, unprivileged
user, with its own prefix directory (config, pid, logs, temp paths): ``nginx -p DIR -c nginx.conf -g 'daemon
off;'`` (with ``--listen none`` and no ``--tls-listen``, no nginx: the processes alone, for a machine behind another
machine's nginx). It stops everything when it is stopped (SIGINT, SIGTERM) or when any of the processes ends.
``config`` prints the rendered nginx.conf only, for an nginx started some other way (a system service that binds
port 443, say), optionally for processes on other machines (``--upstream HOST:PORT``, repeated).

How many processes: ``--processes``, else TRACKER_PROCESSES, else one per core this process may run on
(``processes``): the one place that decides it. Streamlit runs every session's script in one interpreter, so one
process uses one core.

The rendered configuration (``render``, from ``nginx.conf.template``): sticky sessions by a route cookie nginx sets
itself, websockets proxied with a day's read timeout, a body-size limit (TRACKER_MAX_UPLOAD_MB plus 1 MB for the
multipart envelope) and a per-address rate limit on Streamlit's ``/_stcore/upload_file/``, 1 MB for anything else,
security headers (CSP, X-Frame-Options, nosniff, Referrer-Policy; HSTS over TLS) and an optional ``listen … ssl``
with the given certificate.
"""
from __future__ import annotations

import argparse
import grp
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEFAULT_LISTEN = "127.0.0.1:8501"
DEFAULT_APP_PORT = 8511
DEFAULT_PREFIX = ROOT / "data" / "nginx"
#: Room for the multipart envelope around a file of TRACKER_MAX_UPLOAD_MB.
UPLOAD_MARGIN_MB = 1
#: Uploads per client address: a person sends a few returns a minute; a script sending hundreds is refused.
UPLOAD_RATE, UPLOAD_BURST = "20r/m", 10
#: What the app needs, no more (checked in Chromium by tests/test_deploy.py): its own scripts, the inline ones
#: (Streamlit's index.html has one; ui/signin.py writes the session cookie with another, through st.html), inline
#: styles (Streamlit's CSS-in-JS), images from data:/blob:, workers from blob: (the maps), its websocket on the same
#: origin. WebAssembly stays refused: only Long.js in Streamlit's protobuf bundle tries it, and falls back to JS.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
       "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def processes(env: Mapping[str, str] = os.environ) -> int:
    """How many app processes: TRACKER_PROCESSES, else one per usable core."""
    raw = env.get("TRACKER_PROCESSES", "").strip()
    if raw:
        count = int(raw)
        if count < 1:
            raise ValueError(f"TRACKER_PROCESSES must be at least 1: {raw!r}")
        return count
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def max_upload_mb() -> int:
    """The app's upload limit (TRACKER_MAX_UPLOAD_MB, read where the readers read it)."""
    from loaders.workbooks import MAX_UPLOAD_MB

    return MAX_UPLOAD_MB


def _worker_user() -> str:
    """nginx switches its workers to another user only when started as root; then say which (nobody)."""
    if os.geteuid() != 0:
        return ""
    group = "nogroup"
    try:
        grp.getgrnam(group)
    except KeyError:
        group = grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
    return f"user nobody {group};"


def render(app_ports: Sequence[int | str], prefix: Path, *, listen: str | None = DEFAULT_LISTEN,
           tls_listen: str | None = None, cert: Path | None = None, key: Path | None = None,
           server_name: str = "_", upload_mb: int | None = None, upload_rate: str = UPLOAD_RATE,
           upload_burst: int = UPLOAD_BURST, app_host: str = "127.0.0.1", expose_upstream: bool = False,
           csp: str = CSP) -> str:
    """nginx.conf from the template, for the processes on ``app_ports`` of ``app_host`` (or at "host:port"
    entries, for processes on other machines). ``expose_upstream`` adds an ``X-Upstream`` header naming the process that
    answered (for the tests; it tells a visitor the internal addresses, so never in a deployment)."""
    if not listen and not tls_listen:
        raise ValueError("nothing to listen on: give listen, tls_listen or both")
    if tls_listen and not (cert and key):
        raise ValueError("tls_listen needs cert and key")
    listens = [f"        listen {listen};"] if listen else []
    if tls_listen:
        listens += [f"        listen {tls_listen} ssl;",
                    f"        ssl_certificate {Path(cert).resolve()};",
                    f"        ssl_certificate_key {Path(key).resolve()};",
                    "        ssl_protocols TLSv1.2 TLSv1.3;",
                    "        ssl_session_cache shared:tracker_tls:1m;"]
    values = {
        "user": _worker_user(),
        "prefix": str(Path(prefix).resolve()),
        # max_fails=0: a process that resets one request (as the app does to a refused upload) is never taken out of
        # the hash, which would move its browsers' uploads to a process that does not hold their session; a
        # process that is down is still skipped request by request (proxy_next_upstream).
        "upstreams": "\n".join(f"        server {port if ':' in str(port) else f'{app_host}:{port}'} max_fails=0;"
                               for port in app_ports),
        "listen": "\n".join(listens),
        "server_name": server_name,
        "max_body_mb": str((upload_mb if upload_mb is not None else max_upload_mb()) + UPLOAD_MARGIN_MB),
        "upload_rate": upload_rate,
        "upload_burst": str(upload_burst),
        "csp": csp,
        "extra_headers": "        add_header X-Upstream $upstream_addr always;" if expose_upstream else "",
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError(f"unfilled placeholder in {TEMPLATE}: {text[text.index('{{'):][:40]}")
    return text


def app_command(port: int, upload_mb: int | None = None, address: str = "127.0.0.1") -> list[str]:
    """One app process: headless, on the loopback unless told otherwise, its upload limit the app's own. Started
    as ``make run`` starts it (ui/server.py: ``streamlit run app.py`` with TCP_NODELAY on its sockets, the caches
    warmed and the start-up heap frozen before it answers its health check)."""
    return [sys.executable, "-m", "ui.server", "--server.port", str(port),
            "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
            "--server.maxUploadSize", str(upload_mb if upload_mb is not None else max_upload_mb())]


def app_environment(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The processes' environment: the database URL and one secret key, the same for all of them."""
    from tracker.access.sessions import secret_key
    from tracker.store.db import database_url

    url = env.get("TRACKER_DATABASE_URL") or database_url()
    return {**env, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": secret_key(url, env)}


def wait_healthy(url: str, timeout: float = 60, alive=lambda: True) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"{url} ended before it answered")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url}/_stcore/health did not answer within {timeout:.0f} s")


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def _process(command: Sequence[str], log: Path | None, **kwargs) -> Iterator[subprocess.Popen]:
    with ExitStack() as files:
        out = files.enter_context(open(log, "ab")) if log else None
        proc = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT if out else None,
                                start_new_session=True, **kwargs)
        try:
            yield proc
        finally:
            _stop(proc)


@contextmanager
def apps(ports: Sequence[int], env: Mapping[str, str], log_dir: Path | None = None,
         upload_mb: int | None = None, address: str = "127.0.0.1") -> Iterator[list[subprocess.Popen]]:
    """The app processes, started together and healthy on exit from ``with``'s first line; logs in
    ``log_dir/app-PORT.log`` (else this process's output)."""
    with ExitStack() as stack:
        procs = [stack.enter_context(_process(app_command(port, upload_mb, address),
                                              log_dir / f"app-{port}.log" if log_dir else None,
                                              cwd=ROOT, env=dict(env)))
                 for port in ports]
        for port, proc in zip(ports, procs):
            wait_healthy(f"http://{address}:{port}", alive=lambda proc=proc: proc.poll() is None)
        yield procs


@contextmanager
def nginx(conf: str, prefix: Path, url: str | None = None) -> Iterator[subprocess.Popen]:
    """nginx in the foreground with ``conf`` as ``prefix/nginx.conf``; checked with ``nginx -t`` first. With
    ``url``, waits until the proxy answers ``/_stcore/health`` there."""
    if not Path(NGINX).exists():
        raise FileNotFoundError(f"{NGINX} is missing: apt-get install nginx (make deploy-deps)")
    prefix = Path(prefix).resolve()
    for sub in ("tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    (prefix / "nginx.conf").write_text(conf, encoding="utf-8")
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
    check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if check.returncode:
        raise RuntimeError(f"nginx refused {prefix / 'nginx.conf'}:\n{check.stderr}")
    with _process([*command, "-g", "daemon off;"], None, stdin=subprocess.DEVNULL) as proc:
        if url:
            wait_healthy(url, timeout=15, alive=lambda: proc.poll() is None)
        yield proc


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", nargs="?", choices=("run", "config"), default="run")
    parser.add_argument("--processes", "-n", type=int, help="app processes (default: TRACKER_PROCESSES, else "
                        "one per core)")
    parser.add_argument("--listen", default=DEFAULT_LISTEN, help="nginx's plain-HTTP address (default "
                        f"{DEFAULT_LISTEN}; 'none' for HTTPS only, or, without --tls-listen, for no nginx)")
    parser.add_argument("--tls-listen", help="nginx's HTTPS address, e.g. 0.0.0.0:443 (needs --cert, --key)")
    parser.add_argument("--cert", type=Path)
    parser.add_argument("--key", type=Path)
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--app-address", default="127.0.0.1", help="where the app processes listen (default "
                        "%(default)s; a machine's internal address when another machine's nginx is in front)")
    parser.add_argument("--app-port", type=int, default=DEFAULT_APP_PORT, help="first app port (default %(default)s)")
    parser.add_argument("--upstream", action="append", metavar="HOST:PORT", help="config only: an app process on "
                        "another machine (repeat for each; replaces the local ones)")
    parser.add_argument("--prefix", type=Path, default=DEFAULT_PREFIX, help="nginx's directory (default data/nginx)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    count = args.processes or processes()
    ports = [args.app_port + i for i in range(count)]
    listen = None if args.listen == "none" else args.listen
    if args.upstream and args.action == "run":
        raise SystemExit("--upstream is for config: run starts the processes of this machine")
    proxied = bool(listen or args.tls_listen)
    conf = render(args.upstream or ports, args.prefix, listen=listen, tls_listen=args.tls_listen, cert=args.cert,
                  key=args.key, server_name=args.server_name, app_host=args.app_address) if proxied else None
    if args.action == "config":
        if conf is None:
            raise SystemExit("nothing to listen on: give --listen, --tls-listen or both")
        sys.stdout.write(conf)
        return 0
    env = app_environment()
    if env["TRACKER_DATABASE_URL"].startswith("sqlite"):
        print("deploy.serve: SQLite works for a trial; a deployment uses PostgreSQL (TRACKER_DATABASE_URL)",
              file=sys.stderr)
    stopping = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    signal.signal(signal.SIGINT, lambda signum, frame: stopping.append(signum))
    args.prefix.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        procs = stack.enter_context(apps(ports, env, log_dir=args.prefix, address=args.app_address))
        if conf is not None:
            procs.append(stack.enter_context(nginx(conf, args.prefix, url=f"http://{listen}" if listen else None)))
        print(f"deploy.serve: {count} app processes on {args.app_address}:{ports[0]}–{ports[-1]} (logs in "
              f"{args.prefix}), " + (f"nginx on {listen or args.tls_listen}" if conf else "no nginx"), file=sys.stderr)
        while not stopping:
            ended = [p for p in procs if p.poll() is not None]
            if ended:
                print(f"deploy.serve: {ended[0].args[0]} (pid {ended[0].pid}) ended with {ended[0].returncode};"
                      " stopping", file=sys.stderr)
                return 1
            time.sleep(1)
    return 0

if __name__ == "__main__":
    sys.exit(main())
