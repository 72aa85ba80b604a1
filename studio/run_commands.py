"""The verbs that read runs and data: runs, models, inspect, stop, predict, eval."""
from __future__ import annotations

import json

from .jobargs import UserError
from .quiet import quiet_libraries


def add_parsers(sub, workspace_arg) -> None:
    r = sub.add_parser("runs", help="The run history, newest first.")
    r.add_argument("--json", action="store_true")
    workspace_arg(r)
    r.set_defaults(handler=cmd_runs)

    p = sub.add_parser("predict", help="Predict with a trained run (or a base model).")
    p.add_argument("run", help="Run id (or a unique prefix, or its name).")
    p.add_argument("--text", action="append", help="Input text (repeat for several).")
    p.add_argument("--file", help="A file of inputs (same formats as training data).")
    p.add_argument("--out", help="Write predictions to this CSV file.")
    p.add_argument("--max-new-tokens", type=int, default=128)
    p.add_argument("--json", action="store_true")
    workspace_arg(p)
    p.set_defaults(handler=cmd_predict)

    e = sub.add_parser("eval", help="Metrics of a trained run on a held-out file.")
    e.add_argument("run")
    e.add_argument("--file", required=True)
    e.add_argument("--json", action="store_true")
    workspace_arg(e)
    e.set_defaults(handler=cmd_eval)

    m = sub.add_parser("models", help="Presets, their family, and whether they work offline.")
    m.add_argument("--json", action="store_true")
    m.set_defaults(handler=cmd_models)

    i = sub.add_parser("inspect", help="What the studio reads from a data file.")
    i.add_argument("file")
    i.add_argument("--sheet", default="")
    i.add_argument("--encoding", default="")
    i.add_argument("--unnamed-columns", choices=("join", "exclude"), default="join",
                   help="Rows whose text spilled into unnamed columns (unquoted commas): join "
                        "the pieces back (default) or exclude those rows.")
    i.add_argument("--json", action="store_true")
    i.set_defaults(handler=cmd_inspect)

    s = sub.add_parser("stop", help="Ask a running job to stop (a second time kills it).")
    s.add_argument("run")
    workspace_arg(s)
    s.set_defaults(handler=cmd_stop)


def cmd_runs(args) -> int:
    from .pace import progress
    from .runs import Registry
    registry = Registry(args.workspace)
    runs = registry.list()
    # A training run's step and ETA, as its events say them: the page shows the same numbers.
    live = {r.id: progress(registry.folder(r).events()) for r in runs if r.status == "running"}
    if args.json:
        print(json.dumps([{**r.to_dict(), **({"progress": live[r.id]} if live.get(r.id) else {})}
                          for r in runs], default=str, ensure_ascii=False))
        return 0
    if not runs:
        print("No runs yet. Start one with: python -m studio train --data FILE --model tiny-bert")
    for r in runs:
        m = r.metrics if isinstance(r.metrics, dict) else {}  # an index written before checks
        key = next((k for k in ("accuracy", "eval_loss", "train_loss")
                    if isinstance(m.get(k), (int, float))), None)
        score = f"{key}={m[key]:.4g}" if key else ""
        if live.get(r.id):
            p = live[r.id]
            eta = "estimating" if p["eta"] is None else f"{p['eta']:.0f} s"
            score = f"step {p['step']}/{p['total_steps'] or '?'} ETA {eta}"
        print(f"{r.id:40s} {r.status:8s} {r.task:14s} {r.model:18s} {score} {r.reason}".rstrip())
    return 0


def cmd_models(args) -> int:
    from .models import list_presets
    presets = list_presets()
    if args.json:
        print(json.dumps(presets, ensure_ascii=False))
        return 0
    for p in presets:
        flag = "offline" if p["offline"] else "download"
        note = " (untrained)" if p["untrained"] else ""
        print(f"{p['name']:24s} {p['family']:5s} {flag:9s} {p['description']}{note}")
    return 0


def cmd_inspect(args) -> int:
    from .data import inspect_file
    result = inspect_file(args.file, encoding=args.encoding, sheet=args.sheet,
                          unnamed_columns=args.unnamed_columns).to_dict()
    if args.json:
        print(json.dumps(result, default=str, ensure_ascii=False))
        return 0
    print(f"{args.file}: {result['format']}, {result['encoding']}, layout {result['layout']}, "
          f"{result['rows']} usable rows, task {result['task']}")
    print(f"columns: {', '.join(map(str, result['columns']))}")
    print(f"roles: {', '.join(f'{k}={v}' for k, v in result['roles'].items())}")
    if result.get("labels"):
        print(f"labels: {', '.join(f'{k} ({v})' for k, v in result['labels'].items())}")
    for p in result.get("problems", []):
        print(f"- [{p['action']}] {p['message']}")
    return 0


def cmd_stop(args) -> int:
    from .runs import Registry
    from .control import request_stop
    registry = Registry(args.workspace)
    run = registry.find(args.run)
    if run is None:
        raise UserError(f"No run '{args.run}'; see `python -m studio runs`.")
    registry.require_writable("stop a run")
    result = request_stop(registry, run)
    if result.outcome == "killed":  # a run on a cluster is killed there, through Ray
        from .backends import kill_on_cluster
        kill_on_cluster(run)
    print(result)
    return 0


def cmd_predict(args) -> int:
    from .inference import load_for_cli, predict_file, predict_texts, predict_to_file
    from .runs import Registry
    quiet_libraries()
    lm = load_for_cli(Registry(args.workspace), args.run)
    if args.file and args.out and not args.json:  # streamed to the file, none kept in memory
        count = predict_to_file(lm, args.file, args.out, max_new_tokens=args.max_new_tokens)
        print(f"wrote {count} predictions to {args.out}")
        return 0
    if args.file:
        rows = predict_file(lm, args.file, args.out, max_new_tokens=args.max_new_tokens)
    elif args.text:
        rows = predict_texts(lm, args.text, max_new_tokens=args.max_new_tokens)
    else:
        raise UserError("Give --text \"...\" or --file inputs.csv to predict.")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str))
    elif args.out:
        print(f"wrote {len(rows)} predictions to {args.out}")
    else:
        for r in rows:
            probs = r.get("probabilities")
            extra = "  " + ", ".join(f"{k}={v:.3f}" for k, v in probs.items()) if probs else ""
            print(f"{r['prediction']}{extra}")
    return 0


def cmd_eval(args) -> int:
    from .inference import evaluate_file, load_for_cli
    from .runs import Registry
    quiet_libraries()
    lm = load_for_cli(Registry(args.workspace), args.run)
    metrics = evaluate_file(lm, args.file)
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False, default=str))
        return 0
    for k, v in metrics.items():
        if isinstance(v, (int, float)):
            print(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}")
    return 0
