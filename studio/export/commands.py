"""The `export` and `serve` verbs of `python -m studio` (listed in studio.cli.VERBS)."""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys

from .common import ExportError

EXPORT_EPILOG = """examples:
  python -m studio export RUN --format zip      model, tokenizer, labels, job.yaml, metrics, card
  python -m studio export RUN --format merged   a plain transformers folder (LoRA merged in)
  python -m studio export RUN --format gguf --quant q8_0   one .gguf + an Ollama Modelfile
  python -m studio export RUN --format onnx     classifiers: model.onnx + tokenizer
  python -m studio export RUN --format gguf --verify   replay validation prompts in llama.cpp
  HF_TOKEN=... python -m studio export RUN --hub owner/name [--private]"""


def add_parsers(sub, workspace_arg) -> None:
    from . import FORMATS
    from .common import GGUF_QUANTS as QUANTS
    e = sub.add_parser("export", help="Take a trained model out: zip, merged, gguf, onnx, or "
                                      "push it to the Hugging Face Hub.",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog=EXPORT_EPILOG)
    e.add_argument("run", help="Run id (or a unique prefix, or its name).")
    e.add_argument("--format", choices=FORMATS, help="What to write (under <run>/exports/).")
    e.add_argument("--quant", choices=QUANTS, default="f16", help="GGUF number format.")
    e.add_argument("--hub", metavar="OWNER/NAME", help="Push to this Hub repository (token "
                                                       "from HF_TOKEN, never stored).")
    e.add_argument("--private", action="store_true", help="Create the Hub repository private.")
    e.add_argument("--force", action="store_true", help="Export again even if unchanged.")
    e.add_argument("--verify", action="store_true",
                   help="Then replay a few validation rows through the exported file with "
                        "another runtime (llama.cpp for gguf, onnxruntime for onnx, a fresh "
                        "transformers process for merged/zip) and report the agreement.")
    e.add_argument("--json", action="store_true")
    workspace_arg(e)
    e.set_defaults(handler=_quietly(run_export))

    s = sub.add_parser("serve", help="Serve a trained run with an OpenAI-compatible API.")
    s.add_argument("run", help="Run id (or a unique prefix, or its name).")
    s.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: this "
                                                        "machine only).")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--api-key", default=None, help="Require `Authorization: Bearer KEY` "
                                                   "(default: $STUDIO_API_KEY, else none).")
    s.add_argument("--max-waiting", type=int, default=16, metavar="N",
                   help="Requests that may wait behind the one generating (default 16); more "
                        "are answered 429 with Retry-After.")
    workspace_arg(s)
    s.set_defaults(handler=_quietly(run_serve))


def _quietly(handler):
    """No loading bars or library warnings around an export report or a server's log."""
    def run(args) -> int:
        from ..quiet import quiet_libraries
        quiet_libraries()
        return handler(args)
    return run


def _folder(args):
    from ..runs import Registry
    registry = Registry(args.workspace)
    run = registry.find(args.run)
    if run is None:
        raise ExportError(code="no_run_in", run=args.run, workspace=str(registry.workspace))
    return registry.folder(run)


def _progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def run_export(args) -> int:
    from . import export
    folder = _folder(args)
    progress = None if args.json else _progress
    if args.hub:
        from .hub import push
        pushed = push(folder, args.hub, private=args.private,
                      merged=True if args.format == "merged" else None, progress=progress)
        if args.json:
            print(json.dumps(pushed.__dict__))
        else:
            print(f"pushed the {pushed.what} of run {folder.id} to {pushed.url}")
        return 0
    if not args.format:
        raise ExportError(code="no_format")
    result = export(folder, args.format, progress, quant=args.quant, force=args.force)
    checked = None
    if args.verify:
        from .verify import report_text, verify
        checked = verify(folder, args.format, quant=args.quant)
    waited = result.waited()  # the whole wait, the check included: what the page shows too
    if args.json:
        print(json.dumps({**result.to_dict(), "seconds": round(waited, 2),
                          **({"verify": checked} if checked else {})},
                         ensure_ascii=False, default=str))
        return 0
    again = ", reused: the model has not changed" if result.reused else ""
    print(f"{result.path} ({result.size_bytes / 1e6:.1f} MB, {waited:.1f} s{again})")
    for name, code in result.snippets.items():
        print(f"\n# {name}\n{code.rstrip()}")
    if checked is not None:
        print("\n" + report_text(checked))
    return 0


def run_serve(args) -> int:
    from ..inference import load_for_cli
    from ..runs import Registry
    from ..serve import build_app, run_server
    key = args.api_key or os.environ.get("STUDIO_API_KEY") or None
    lm = load_for_cli(Registry(args.workspace), args.run)
    where = "/v1/classify" if lm.task == "classification" else "/v1/chat/completions"
    print(f"Serving run {lm.ref} ({lm.task}) at http://{args.host}:{args.port}/v1 "
          f"({where}, /v1/models); Ctrl-C stops it.", flush=True)
    if not key and not _loopback(args.host):
        print(f"warning: {args.host} is reachable from other machines and no --api-key is "
              f"set, so anyone there can use the model.", file=sys.stderr)
    run_server(build_app(lm, lm.ref, key, args.max_waiting), args.host, args.port)
    return 0


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
