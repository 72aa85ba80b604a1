"""Fine-tuning Studio in the browser: `python app.py` (locally) or as a Hugging Face Space.

Flags: --host (127.0.0.1; 0.0.0.0 when running as a Space), --port, --share, --auth user:pass,
--workspace (runs and registry; default $STUDIO_WORKSPACE or ./workspace), --max-parallel
(training jobs at once; the rest wait in line), --cache (models kept loaded for the playground).
"""
from __future__ import annotations

import argparse
import logging
import os


def parse_args(argv=None) -> argparse.Namespace:
    on_space = bool(os.environ.get("SPACE_ID"))
    p = argparse.ArgumentParser(description="Fine-tuning Studio web UI")
    p.add_argument("--host", default="0.0.0.0" if on_space else "127.0.0.1",
                   help="Address to listen on (default 127.0.0.1; 0.0.0.0 on a Space).")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", 7860)))
    p.add_argument("--share", action="store_true", help="Create a public gradio.live link.")
    p.add_argument("--auth", default=os.environ.get("STUDIO_AUTH", ""),
                   help="Require a login, as user:pass.")
    p.add_argument("--workspace", default=None, help="Workspace folder (runs, registry).")
    p.add_argument("--max-parallel", type=int, default=1, help="Training jobs at once.")
    p.add_argument("--cache", type=int, default=2, help="Models kept loaded for the playground.")
    return p.parse_args(argv)


def auth_pair(text: str):
    if not text:
        return None
    if ":" not in text:
        raise SystemExit("--auth must look like user:pass")
    user, password = text.split(":", 1)
    return user, password


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.workspace:
        os.environ["STUDIO_WORKSPACE"] = os.path.abspath(args.workspace)
    from components import build_ui, launch_options
    from studio.inference import ModelCache
    from studio.launcher import JobQueue
    from studio.runs import Registry
    registry = Registry(args.workspace)
    queue = JobQueue(registry, max_parallel=args.max_parallel)
    demo = build_ui(registry, queue, ModelCache(args.cache))
    demo.queue(default_concurrency_limit=4).launch(
        server_name=args.host, server_port=args.port, share=args.share,
        auth=auth_pair(args.auth), show_error=False, **launch_options())


if __name__ == "__main__":
    main()
