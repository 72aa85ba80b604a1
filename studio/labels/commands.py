"""`python -m studio labels FILE|RUN [--top N] [--json] [--out cleaned.csv]` (listed in
studio.cli.VERBS)."""
from __future__ import annotations

import json
from pathlib import Path

from ..quiet import quiet_libraries
from .finder import TOP_SHARE


def add_parsers(sub, workspace_arg) -> None:
    p = sub.add_parser("labels", help="Rows of a classification file (or a run's validation "
                                      "rows) whose label looks wrong, most suspicious first.")
    p.add_argument("source", help="A data file, or a run id (or unique prefix, or name).")
    p.add_argument("--top", type=int, default=20, help="Rows to list (default 20; 0 = all).")
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", help="Write a cleaned copy of the data here (CSV): the suggestions "
                                 "at least --threshold confident excluded (or relabelled), "
                                 "with an .edits.json record beside it.")
    p.add_argument("--threshold", type=float, default=None,
                   help="Act on suggestions at least this confident (default: the confidence "
                        f"that takes the top {TOP_SHARE * 100:.0f}%% of the file's rows, as the "
                        "page).")
    p.add_argument("--relabel", action="store_true",
                   help="With --out: give those rows the suggested label instead of excluding "
                        "them.")
    p.add_argument("--text-column", default="", help="Column holding the text (default: "
                                                     "guessed).")
    p.add_argument("--label-column", default="", help="Column holding the label (default: "
                                                      "guessed).")
    p.add_argument("--folds", type=int, default=5, help="Cross-fitting folds (default 5).")
    p.add_argument("--seed", type=int, default=0)
    workspace_arg(p)
    p.set_defaults(handler=run_labels)  # studio.cli runs args.handler


def run_labels(args) -> int:
    from ..errors import RunError
    from .finder import check_file, check_run
    quiet_libraries()
    roles = {k: v for k, v in (("text", args.text_column), ("label", args.label_column)) if v}
    if Path(args.source).is_file():
        report = check_file(args.source, roles or None, folds=args.folds, seed=args.seed)
    else:
        from ..runs import Registry
        run = Registry(args.workspace).find(args.source)
        if run is None:
            raise RunError(code="labels_unknown_source", source=args.source)
        report = check_run(run, folds=args.folds, seed=args.seed)
    version = None
    if args.out:
        if report.source == "run":
            raise RunError(code="labels_out_needs_file")
        from .versions import EXCLUDE, RELABEL, edits_from, save_version
        threshold = report.threshold if args.threshold is None else args.threshold
        edits = edits_from(report.suspects, threshold, RELABEL if args.relabel else EXCLUDE)
        version = save_version(report.path, edits, target=args.out, roles=roles or None)
    top = None if args.top == 0 else args.top
    if args.json:
        out = report.to_dict(top=top)
        if version is not None:
            out["version"] = {"path": version.path, "fingerprint": version.fingerprint,
                              **{k: version.record[k] for k in ("excluded", "relabelled")}}
        print(json.dumps(out, ensure_ascii=False, default=str))
        return 0
    print(text_report(report, top))
    if version is not None:
        r = version.record
        print(f"wrote {version.path} ({r['rows_after']} rows, fingerprint "
              f"{version.fingerprint}): {len(r['excluded'])} excluded, "
              f"{len(r['relabelled'])} relabelled; edits in {version.path}.edits.json")
    return 0




def text_report(report, top: int | None) -> str:
    lines = []
    if report.note:
        lines.append(report.note)
    per_class = ", ".join(f"{k} {v}" for k, v in report.per_class.items())
    lines.append(f"{len(report.suspects)} of {report.rows} rows look mislabelled ({per_class}); "
                 f"{report.method}, {report.seconds:.1f} s.")
    for s in report.suspects[:top]:
        text = s.text if len(s.text) <= 80 else s.text[:79] + "…"
        lines.append(f"row {s.row:>6}  {s.given} -> {s.suggested} ({s.confidence:.2f})  {text}")
    return "\n".join(lines)
