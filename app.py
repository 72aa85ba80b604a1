"""Fine-tuning Studio in the browser: `python app.py` (locally) or as a Hugging Face Space.

Two modes. Local (the default: 127.0.0.1, one trusted user, every run shown). Hosted (when
listening beyond localhost, on a Space, with --share, or with --hosted): every run belongs to
its owner (the login, or the anonymous browser), inputs are confined to this browser's uploads,
model names to presets and Hub ids, no model code runs, and every job has limits.

Flags: --host (127.0.0.1; 0.0.0.0 when running as a Space), --port, --share, --hosted,
--auth user:pass (quick local use; visible in `ps`), --auth-file (one user:pass a line; or
$STUDIO_AUTH), --max-upload-mb (200 local / 50 hosted), --workspace (runs and registry; default
$STUDIO_WORKSPACE or ./workspace), --max-parallel (training jobs at once; the rest wait in
line), --cluster (a Ray cluster trains the queued runs; or $STUDIO_CLUSTER), --max-queued / --max-queued-per-address / --queue-owner-minutes (hosted queue places:
8 in all, 2 per client address, a job whose page left for 10 minutes is dropped),
--trusted-proxy (whose X-Forwarded-For counts; see studio/proxies.py), --cache (models kept loaded for the playground), --stop-runs-on-exit (on SIGTERM/SIGINT,
stop the runs this app started, their models saved, instead of leaving them training for the
next start to adopt).
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time

AUTH_WARNING = ("warning: --auth puts the password on the command line, where every user of "
                "this machine can read it (ps, /proc). Use $STUDIO_AUTH or --auth-file on a "
                "shared machine.")


def parse_args(argv=None) -> argparse.Namespace:
    on_space = bool(os.environ.get("SPACE_ID"))
    p = argparse.ArgumentParser(description="Fine-tuning Studio web UI")
    p.add_argument("--host", default="0.0.0.0" if on_space else "127.0.0.1",
                   help="Address to listen on (default 127.0.0.1; 0.0.0.0 on a Space). "
                        "Anything beyond localhost turns hosted mode on.")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", 7860)))
    p.add_argument("--share", action="store_true",
                   help="Create a public gradio.live link (hosted mode).")
    p.add_argument("--hosted", action="store_true",
                   help="Hosted mode even on localhost (e.g. behind your own proxy).")
    p.add_argument("--auth", default="",
                   help="Require a login, as user:pass (quick local use; others on this "
                        "machine can read it, prefer $STUDIO_AUTH or --auth-file).")
    p.add_argument("--auth-file", default="",
                   help="File with one user:pass per line (also read: $STUDIO_AUTH).")
    p.add_argument("--max-upload-mb", type=int, default=None,
                   help="Largest upload in MB (default 200 local, 50 hosted).")
    p.add_argument("--workspace", default=None, help="Workspace folder (runs, registry).")
    p.add_argument("--max-parallel", type=int, default=None,
                   help="Training jobs at once (default 1; on a cluster, its CPU count: Ray "
                        "places the rest as room frees up).")
    p.add_argument("--cluster", default=None, metavar="ADDRESS",
                   help="Train queued runs on a Ray cluster: ray://HOST:10001, or auto for the "
                        "one running on this machine (default: $STUDIO_CLUSTER). The workspace "
                        "must be on storage every node sees.")
    p.add_argument("--cache", type=int, default=2, help="Models kept loaded for the playground.")
    p.add_argument("--trusted-proxy", default=None,
                   help="Proxies whose X-Forwarded-For is believed, as ADDR[,ADDR] (addresses "
                        "or networks; also $STUDIO_TRUSTED_PROXIES; 'none' for none). Default: "
                        "none, or the private networks on a Space.")
    p.add_argument("--max-queued", type=int, default=8,
                   help="Hosted: jobs waiting in the queue, all visitors together.")
    p.add_argument("--max-queued-per-address", type=int, default=2,
                   help="Hosted: jobs queued or training from one client address.")
    p.add_argument("--queue-owner-minutes", type=float, default=10.0,
                   help="Hosted: drop a queued job whose page has not polled it for this long.")
    p.add_argument("--stop-runs-on-exit", action="store_true",
                   help="On SIGTERM/SIGINT stop the runs this app started (their models are "
                        "saved) instead of leaving them training for the next start.")
    return p.parse_args(argv)


SHUTDOWN_SECONDS = 8.0  # a container restart waits ~10 s before SIGKILL; stay well under it


class Shutdown:
    """SIGTERM / SIGINT close the app within SHUTDOWN_SECONDS, whatever its threads are doing
    (an open page's event stream, a model loading, a pending request): the server is closed,
    the queue starts nothing more and the process exits. Training children run in their own
    sessions and keep going (the next start adopts them), unless --stop-runs-on-exit, which
    asks them to stop with their model saved. A second signal exits at once.

    The main thread does the closing (`wait`, after launch): a handler that lets the main
    thread return from launch() hands the process to the interpreter's exit, which joins busy
    worker threads and hung there until SIGKILL. A watchdog exits at the deadline anyway."""

    def __init__(self, stop_runs: bool = False):
        self.stop_runs = stop_runs
        self.demo = self.queue = None
        self.signal = None
        self.started = 0.0

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                signal.signal(sig, self._on_signal)
            except ValueError:  # not the main thread (an embedding program): its own signals
                pass

    def _on_signal(self, signum, frame) -> None:
        if self.signal is not None:
            os._exit(1)
        self.signal, self.started = signal.Signals(signum).name, time.monotonic()
        watchdog = threading.Timer(SHUTDOWN_SECONDS, self._exit)
        watchdog.daemon = True
        watchdog.start()

    def wait(self) -> None:
        """Block the main thread until a signal, then close (never returns)."""
        while self.signal is None:
            time.sleep(0.2)
        self._close()

    def _left(self) -> float:
        return max(0.0, SHUTDOWN_SECONDS - (time.monotonic() - self.started))

    def _close(self) -> None:
        log, name = logging.getLogger("studio.app"), self.signal
        try:
            if self.queue is not None:
                running = self.queue.running()
                asked = self.queue.close(self.stop_runs, wait=max(0.0, self._left() - 3))
                if asked:
                    log.info("%s: asked %d run(s) to stop with their model saved: %s", name,
                             len(asked), ", ".join(asked))
                elif running:
                    log.info("%s: %d run(s) keep training; the next start adopts them.", name,
                             len(running))
            if self.demo is not None:
                closer = threading.Thread(target=self.demo.close, daemon=True)
                closer.start()
                closer.join(max(0.0, self._left() - 1))
            log.info("%s: closed in %.1f s.", name, time.monotonic() - self.started)
        except Exception:  # noqa: BLE001 - exiting matters more than how
            log.exception("shutdown")
        self._exit()

    @staticmethod
    def _exit() -> None:
        # Not sys.exit: interpreter exit joins worker threads, and a busy one would hold the
        # process past the deadline.
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(0)


def decide_policy(args, environ=None):
    """(hosted, Policy): the mode from where the studio listens, the limits from the mode and
    --max-upload-mb. Sets STUDIO_HOSTED=1 in `environ` when hosted, before anything else runs,
    so this process and every training child (they inherit it) enforce the hosted policy."""
    from dataclasses import replace
    from studio import hosting
    env = os.environ if environ is None else environ
    hosted = hosting.detect_hosted(args.host, args.share, args.hosted, environ=env)
    if hosted:
        env[hosting.HOSTED_ENV] = "1"
    policy = hosting.Policy.hosted_defaults() if hosted else hosting.Policy.local()
    if args.max_upload_mb is not None:
        if args.max_upload_mb <= 0:
            raise SystemExit("--max-upload-mb must be a positive number of megabytes")
        policy = replace(policy, max_upload_mb=args.max_upload_mb)
    # The engine's readers refuse a larger file too, whoever hands it to them.
    env["STUDIO_MAX_UPLOAD_MB"] = str(policy.max_upload_mb)
    return hosted, policy


def login(args, argv):
    """The auth callable for launch() (None: no login), from $STUDIO_AUTH, --auth-file and
    --auth; warns on stderr when the password was given on the command line."""
    from components.guard import login_checker
    from studio.auth import LoginGuard, load_users
    from studio.errors import StudioError
    given = list(sys.argv[1:] if argv is None else argv)
    if args.auth and any(a == "--auth" or a.startswith("--auth=") for a in given):
        print(AUTH_WARNING, file=sys.stderr)
    try:
        users = load_users(args.auth, args.auth_file)
    except StudioError as e:
        raise SystemExit(str(e)) from None
    return login_checker(LoginGuard(users)) if users else None


def queue_rules(args, hosted: bool):
    """The hosted queue's places (studio.queue_rules); local mode has none."""
    from studio.queue_rules import QueueRules
    if not hosted:
        return QueueRules()
    for name in ("max_queued", "max_queued_per_address", "queue_owner_minutes"):
        if getattr(args, name) < 0:
            raise SystemExit(f"--{name.replace('_', '-')} must be 0 (no limit) or more")
    return QueueRules(max_queued=args.max_queued, max_per_address=args.max_queued_per_address,
                      owner_timeout=args.queue_owner_minutes * 60)


def cluster_backend(cluster, registry):
    """The queue's backend: this machine, or the Ray cluster named by --cluster or
    $STUDIO_CLUSTER (connected, and its view of the workspace checked, before the page opens)."""
    from studio.backends import make_backend
    from studio.errors import StudioError
    try:
        backend = make_backend(cluster, registry.workspace)
    except StudioError as e:
        raise SystemExit(f"error: {e}") from None
    if backend.remote:
        logging.getLogger("studio.app").info("Training on the Ray cluster at %s.",
                                             backend.address)
    return backend


def warm_imports() -> None:
    """Resolve transformers' lazy names once, before requests come in: the first
    `from transformers import AutoConfig` made in several handler threads at once fails
    ("cannot import name 'AutoConfig'") in all but one of them."""
    import transformers
    for name in ("AutoConfig", "AutoTokenizer", "AutoModelForSequenceClassification",
                 "AutoModelForCausalLM", "AutoModelForSeq2SeqLM", "PreTrainedTokenizerFast",
                 "TextIteratorStreamer", "DataCollatorWithPadding"):
        getattr(transformers, name)


def main(argv=None) -> None:
    args = parse_args(argv)
    shutdown = Shutdown(args.stop_runs_on_exit)
    shutdown.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.workspace:
        os.environ["STUDIO_WORKSPACE"] = os.path.abspath(args.workspace)
    if args.trusted_proxy is not None:  # read by studio.proxies on every request
        os.environ["STUDIO_TRUSTED_PROXIES"] = args.trusted_proxy or "none"
    from studio.proxies import server_setting
    os.environ["FORWARDED_ALLOW_IPS"] = server_setting()  # uvicorn: the same proxies only
    hosted, policy = decide_policy(args)
    auth = login(args, argv)
    warm_imports()
    from starlette.middleware import Middleware

    from components import build_ui, launch_options
    from components.guard import Guard
    from studio.uploads import UploadBook
    from components.limits import Janitor
    from studio.inference import ModelCache
    from studio.launcher import JobQueue
    from studio.runs import Registry
    registry = Registry(args.workspace)
    if registry.read_only:
        logging.getLogger("studio.app").warning(
            "The workspace %s is read-only: runs can be browsed and tried, not started, "
            "stopped or deleted.", registry.workspace)
    queue = JobQueue(registry, max_parallel=args.max_parallel, rules=queue_rules(args, hosted),
                     backend=cluster_backend(args.cluster, registry))
    from studio.retention import clean_at_start
    from studio.sweep import rearm as rearm_sweeps
    clean_at_start(registry)  # export temp folders a killed app left behind
    rearm_sweeps(queue)  # sweeps a killed or restarted app left unfinished go on
    cache = ModelCache(args.cache)
    uploads = UploadBook()
    shutdown.queue = queue
    demo = build_ui(registry, queue, cache, hosted=hosted, policy=policy, uploads=uploads)
    shutdown.demo = demo
    if hosted:
        Janitor(registry, queue, cache, policy).start()
    logging.getLogger("studio.app").info(
        "%s mode; uploads up to %s MB; %s", "Hosted" if hosted else "Local",
        policy.max_upload_mb, "login required" if auth else "no login")
    demo.queue(default_concurrency_limit=4).launch(
        server_name=args.host, server_port=args.port, share=args.share, auth=auth,
        show_error=False, max_file_size=f"{policy.max_upload_mb}mb", ssr_mode=False,
        app_kwargs={"middleware": [Middleware(Guard, book=uploads,
                                              max_upload_mb=policy.max_upload_mb)]},
        prevent_thread_lock=True, **launch_options())
    shutdown.wait()


if __name__ == "__main__":
    main()
