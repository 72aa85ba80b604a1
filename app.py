"""Fine-tuning Studio in the browser: `python app.py` (locally) or as a Hugging Face Space.

Two modes. Local (the default: 127.0.0.1, one trusted user, every run shown). Hosted (when
listening beyond localhost, on a Space, with --share, or with --hosted): every run belongs to
its owner (the login, or the anonymous browser), inputs are confined to this browser's uploads,
model names to presets and Hub ids, no model code runs, and every job has limits.

Flags: --host (127.0.0.1; 0.0.0.0 when running as a Space), --port, --share, --hosted,
--auth user:pass (quick local use; visible in `ps`), --auth-file (one user:pass a line; or
$STUDIO_AUTH), --max-upload-mb (200 local / 50 hosted), --workspace (runs and registry; default
$STUDIO_WORKSPACE or ./workspace), --max-parallel (training jobs at once; the rest wait in
line), --cache (models kept loaded for the playground).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

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
    p.add_argument("--max-parallel", type=int, default=1, help="Training jobs at once.")
    p.add_argument("--cache", type=int, default=2, help="Models kept loaded for the playground.")
    return p.parse_args(argv)


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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.workspace:
        os.environ["STUDIO_WORKSPACE"] = os.path.abspath(args.workspace)
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
    queue = JobQueue(registry, max_parallel=args.max_parallel)
    cache = ModelCache(args.cache)
    uploads = UploadBook()
    demo = build_ui(registry, queue, cache, hosted=hosted, policy=policy, uploads=uploads)
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
        **launch_options())


if __name__ == "__main__":
    main()
