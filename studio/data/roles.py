"""Column roles: guess which column is the text, label, prompt, response or conversation, and
which task (classification, text2text, chat) the file is for.

Works from the `Layout` the layouts stage found; it never looks for the layout again. The one
thing it may still look at is the turn style of a conversation column the user picked by hand.
"""
from __future__ import annotations

import pandas as pd

from studio.data.layouts import CHAT_LAYOUTS, TURN_LAYOUTS, Layout, norm_name, turn_style
from studio.errors import DataError

GUESS_SAMPLE = 5000
LABEL_NAMES = ["label", "labels", "class", "category", "sentiment", "target", "y", "intent",
               "tag", "topic", "emotion", "polarity", "gold_label", "rating", "stars",
               "标签", "类别", "分类", "情感", "类型"]
TEXT_NAMES = ["text", "sentence", "content", "review", "comment", "document", "body", "tweet",
              "utterance", "message", "query", "question", "sentence1", "text_a", "premise",
              "title", "文本", "内容", "句子", "评论", "文字"]
PAIR_NAMES = [("sentence1", "sentence2"), ("text_a", "text_b"), ("premise", "hypothesis"),
              ("question1", "question2"), ("question", "sentence"), ("question", "passage"),
              ("query", "passage"), ("text", "text_pair"), ("text1", "text2")]
T2T_NAMES = [("prompt", "response"), ("prompt", "completion"), ("prompt", "answer"),
             ("prompt", "output"), ("input", "output"), ("input", "target"),
             ("instruction", "output"), ("instruction", "response"), ("question", "answer"),
             ("query", "response"), ("query", "answer"), ("source", "target"), ("src", "tgt"),
             ("article", "summary"), ("article", "highlights"), ("document", "summary"),
             ("text", "summary"), ("dialogue", "summary"), ("context", "response"),
             ("input_text", "target_text"), ("inputs", "targets"), ("x", "y")]
LANG_CODES = {"en", "zh", "fr", "de", "es", "it", "pt", "ru", "ja", "ko", "ar", "nl", "sv", "pl",
              "tr", "vi", "th", "id", "hi", "cs", "uk", "fi", "da", "no", "el", "he", "ro", "hu"}
ID_NAMES = {"id", "idx", "index", "uid", "guid", "key", "row", "_row"}


_norm = norm_name


def guess_roles(frame: pd.DataFrame, layout: Layout | str) -> dict[str, str]:
    """role -> column, from column names first and the values second."""
    layout = layout if isinstance(layout, Layout) else Layout(layout)
    names = {_norm(c): c for c in frame.columns}
    if layout.is_chat:
        return _chat_roles(layout, names)
    sample = frame.head(GUESS_SAMPLE)
    pair = _t2t_pair(names, sample)
    if pair and _label_like(sample[pair[1]], strict=True):
        pair = None                 # e.g. input/target where the target is a class
    label = None if pair else next((names[n] for n in LABEL_NAMES if n in names
                                    and _label_like(sample[names[n]], strict=False)), None)
    if label is None and pair is None:
        label = next((c for c in frame.columns if _norm(c) not in ID_NAMES
                      and _label_like(sample[c], strict=True)), None)
    if pair:
        return {"prompt": pair[0], "response": pair[1]}
    rest = [c for c in frame.columns if c != label and _norm(c) not in ID_NAMES
            and _texty(sample[c])]
    if label is None and len(rest) >= 2:
        return {"prompt": rest[0], "response": rest[1]}
    roles = {}
    text = next((names[n] for n in TEXT_NAMES if n in names and names[n] in rest), None)
    text = text or max(rest, key=lambda c: _mean_len(sample[c]), default=None)
    if text:
        roles["text"] = text
        partner = next((names[b] for a, b in PAIR_NAMES if names.get(a) == text and b in names
                        and names[b] != label), None)
        if partner:
            roles["text_pair"] = partner
    if label:
        roles["label"] = label
    return roles


def _chat_roles(layout: Layout, names) -> dict[str, str]:
    if layout.kind == "alpaca":
        roles = {"prompt": names["instruction"],
                 "response": names.get("output") or names.get("response")}
        for role in ("input", "system", "history"):
            if role in names:
                roles[role] = names[role]
        return roles
    roles = {"messages": layout.messages_column}
    if "system" in names:
        roles["system"] = names["system"]
    return roles


def _t2t_pair(names: dict, sample: pd.DataFrame):
    for a, b in T2T_NAMES:
        if a in names and b in names:
            return names[a], names[b]
    langs = [c for n, c in names.items() if n in LANG_CODES]
    if len(langs) >= 2:
        return langs[0], langs[1]
    return None


def _label_like(series: pd.Series, strict: bool) -> bool:
    values = series.dropna()
    if len(values) == 0 or values.map(lambda v: isinstance(v, (list, dict))).any():
        return False
    values = values.astype(str).str.strip()
    values = values[values != ""]
    n, distinct = len(values), values.nunique()
    if n == 0 or values.str.len().mean() > 40:
        return False
    if strict:      # no telling name: needs few, short, repeating values
        return 2 <= distinct <= 20 and distinct <= n / 2 and values.str.len().mean() <= 20
    return distinct <= max(20, n / 2) and distinct <= 1000     # named like a label


def _texty(series: pd.Series) -> bool:
    values = series.dropna()
    return len(values) > 0 and not values.map(lambda v: isinstance(v, (list, dict))).any()


def _mean_len(series: pd.Series) -> float:
    return float(series.dropna().astype(str).str.len().mean() or 0.0)


def infer_task(layout: str, roles: dict[str, str], family: str = "auto") -> str:
    """classification when there is a label; chat for conversations; text2text for pairs."""
    if "label" in roles:
        return "classification"
    if layout in CHAT_LAYOUTS:
        return "text2text" if family == "t5" else "chat"
    if "prompt" in roles and "response" in roles and family != "bert":
        return "text2text"
    return "classification" if family == "bert" or "text" in roles else "text2text"


def resolve_roles(frame, layout: Layout, roles, path) -> tuple[str, dict[str, str]]:
    """The layout kind (table, pairs, alpaca, messages, sharegpt) and the final roles: guessed
    ones, overridden by the ones given; a given column must exist.

    Mapping the columns an alpaca file already uses (prompt=instruction) keeps the alpaca
    layout, so `input`, `history` and `system` are still merged in; mapping a label or text
    column turns any file into a plain table.
    """
    given = {k: v for k, v in (roles or {}).items() if v}
    for role, col in given.items():
        if col not in frame.columns:
            from studio.shown import shown_path
            raise DataError(code="missing_column", role=role, column=col,
                            columns=[str(c) for c in frame.columns], file=shown_path(path))
    table_roles = {"label", "text", "text_pair"} & set(given)
    pair_roles = {"prompt", "response"} & set(given)
    if given.get("messages"):
        col = given["messages"]
        if layout.kind not in TURN_LAYOUTS or layout.messages_column != col:
            layout = Layout(turn_style(frame[col], "messages") or "messages", col)
    elif table_roles or (pair_roles and layout.kind in TURN_LAYOUTS):
        layout = Layout("table") if layout.is_chat else layout
    final = guess_roles(frame, layout)
    if table_roles:
        final = {k: v for k, v in final.items() if k not in ("prompt", "response")}
    if pair_roles and layout.kind != "alpaca":
        final = {k: v for k, v in final.items() if k not in ("label", "text", "text_pair")}
    final.update(given)
    kind = layout.kind
    if kind == "table":
        kind = "pairs" if "prompt" in final and "label" not in final else "table"
    return kind, final


def present_roles(roles: dict | None, columns) -> dict | None:
    """The given roles whose columns this file has. A validation file may name its columns
    differently (SST-2: `sentence` in train, `content` in dev); guessing decides the rest."""
    given = {k: v for k, v in (roles or {}).items() if v}
    kept = {k: v for k, v in given.items() if v in set(columns)}
    return kept or None
