"""Render the Go text/template subset an Ollama Modelfile's TEMPLATE uses, so the parity check
can compare what Ollama would send the model with what the studio trained on, without Ollama.

Supported, as in Go: text, `{{ .Field }}`, `{{ if X }}`, `{{ else if X }}`, `{{ else }}`,
`{{ range .Messages }}`, `{{ end }}`, the comparisons `eq A B` / `ne A B`, string literals,
and the `{{-` / `-}}` markers that trim the whitespace next to them.
"""
from __future__ import annotations

import re

ACTION = re.compile(r"{{(-?)\s*(.*?)\s*(-?)}}", re.S)
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


class TemplateError(ValueError):
    pass


def _lex(template: str) -> list[tuple[str, str]]:
    parts, pos = [], 0
    for m in ACTION.finditer(template):
        text = template[pos:m.start()]
        if m.group(1):
            text = text.rstrip()
        parts.append(("text", text))
        parts.append(("action", m.group(2)))
        pos = m.end()
        if m.group(3):
            rest = template[pos:]
            pos += len(rest) - len(rest.lstrip())
    parts.append(("text", template[pos:]))
    return [p for p in parts if p != ("text", "")]


def _parse(tokens, i=0, stop=("end",)):
    """A list of nodes up to a stopping action; returns (nodes, index, the stopping action)."""
    nodes = []
    while i < len(tokens):
        kind, value = tokens[i]
        i += 1
        if kind == "text":
            nodes.append(("text", value))
            continue
        word = value.split(" ", 1)[0]
        if word in ("end", "else"):
            return nodes, i, value
        if word == "if":
            branches, cond = [], value[3:]
            while True:
                body, i, ended = _parse(tokens, i)
                branches.append((cond, body))
                if ended.startswith("else if "):
                    cond = ended[len("else if "):]
                elif ended == "else":
                    cond = "true"
                else:
                    break
            nodes.append(("if", branches))
        elif word == "range":
            body, i, ended = _parse(tokens, i)
            if ended != "end":
                raise TemplateError("range without end")
            nodes.append(("range", value[len("range "):], body))
        else:
            nodes.append(("value", value))
    return nodes, i, ""


def _value(expr: str, ctx: dict):
    expr = expr.strip()
    if expr == "true":
        return True
    m = STRING.fullmatch(expr)
    if m:
        return bytes(m.group(1), "utf-8").decode("unicode_escape")
    if expr.startswith("."):
        return ctx.get(expr[1:], "")
    args = [a for a in re.findall(r'"(?:[^"\\]|\\.)*"|\S+', expr)]
    if args and args[0] in ("eq", "ne") and len(args) == 3:
        same = _value(args[1], ctx) == _value(args[2], ctx)
        return same if args[0] == "eq" else not same
    raise TemplateError(f"unsupported template expression: {expr}")


def _run(nodes, ctx: dict) -> str:
    out = []
    for node in nodes:
        if node[0] == "text":
            out.append(node[1])
        elif node[0] == "value":
            out.append(str(_value(node[1], ctx)))
        elif node[0] == "if":
            for cond, body in node[1]:
                if _value(cond, ctx):
                    out.append(_run(body, ctx))
                    break
        else:
            for item in _value(node[1], ctx) or []:
                out.append(_run(node[2], {**ctx, **item}))
    return "".join(out)


def render(template: str, messages: list[dict]) -> str:
    """What Ollama renders for `messages` (the system message as .System)."""
    nodes, _, _ = _parse(_lex(template))
    system = "\n".join(m["content"] for m in messages if m["role"] == "system")
    msgs = [{"Role": m["role"], "Content": m["content"]} for m in messages]
    return _run(nodes, {"System": system, "Messages": msgs})


def modelfile_template(text: str) -> str | None:
    """The TEMPLATE of a Modelfile's text, or None when it has none."""
    m = re.search(r'^TEMPLATE """(.*?)"""', text, re.S | re.M)
    return m.group(1).replace('\\"\\"\\"', '"""') if m else None
