"""Write the small data files the tests in tests/data/ read: `python tests/make_data_fixtures.py`.

Each file is one case from the data-ingestion issue (an encoding, a layout, a broken file, a data
problem). The bytes are spelled out here so the files are reproducible and reviewable; the
generated files are committed too, so tests never depend on running this script.
"""
from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "fixtures" / "data"

CSV_BASIC = (
    'label,text\r\n'
    'positive,"Great film, would watch again"\r\n'
    '\r\n'
    'negative,"Line one\r\nline two, with ""quotes"""\r\n'
    'positive,Fine\r\n'
    'negative,Dull and slow\r\n'
)

CHECKS_CSV = (
    "label,text\n"
    "positive,good movie\n"          # 1
    "negative,bad movie\n"           # 2
    "positive ,nice acting\n"        # 3 label with a stray space -> fixed
    "Positive,lovely story\n"        # 4 case variant -> merged into 'positive'
    "negative,   \n"                 # 5 whitespace-only text -> excluded
    ",no label here\n"               # 6 missing label -> excluded
    "positive,good movie\n"          # 7 exact duplicate of 1 -> excluded
    "negative,good movie\n"          # 8 same text as 1, other label -> warning
    "negative,Hello {{name}}\n"      # 9 placeholder -> warning
    "neutral,only one of these\n"    # 10 rare class -> warning
    "negative,awful plot\n"          # 11
    "positive,great cast\n"          # 12
)


def alpaca() -> list:
    return [
        {"instruction": "Translate to French", "input": "cat", "output": "chat"},
        {"instruction": "Say hi", "input": "", "output": "Hi!", "system": "Be brief."},
        {"instruction": "And now?", "input": "", "output": "Still here.",
         "history": [["Are you there?", "Yes."]]},
        {"instruction": "", "input": "", "output": "orphan answer"},        # empty -> excluded
        {"instruction": "Name?", "input": "", "output": "I am {{name}}."},  # placeholder
    ]


def openai_messages() -> list:
    return [
        {"messages": [{"role": "system", "content": "You are terse."},
                      {"role": "user", "content": "2+2?"},
                      {"role": "assistant", "content": "4"}]},
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "Describe"},
                                                    {"type": "image_url", "image_url": {"url": "x"}}]},
                      {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]}]},
        {"messages": [{"role": "user", "content": "Use the tool"},
                      {"role": "tool", "content": "42"},
                      {"role": "assistant", "content": "It says 42."}]},       # unknown role
        {"messages": [{"role": "user", "content": "Hi"},
                      {"role": "assistant", "content": "Hello"},
                      {"role": "user", "content": "Bye"}]},                     # trailing user
        {"messages": [{"role": "user", "content": "Anyone?"}]},                 # no assistant
        {"messages": "not a conversation"},                                     # bad messages
    ]


def sharegpt() -> list:
    return [
        {"conversations": [{"from": "human", "value": "Hello"},
                           {"from": "gpt", "value": "Hi there"}], "system": "Be kind."},
        {"conversations": [{"from": "system", "value": "Pirate mode"},
                           {"from": "user", "value": "Where is the gold?"},
                           {"from": "chatgpt", "value": "Arr, buried."},
                           {"from": "human", "value": "Where exactly?"},
                           {"from": "model", "value": "Under the palm."}]},
    ]


def typed_parts_weighted() -> list:
    """Chat as other tools write it: typed content parts holding their text under `value`, and
    a loss_weight per reply (0 = context only). Every record is usable."""
    def say(text):
        return [{"type": "text", "value": text}]
    out = []
    for i, (word, other) in enumerate([("alpha", "beta"), ("gamma", "delta"), ("eps", "zeta"),
                                       ("eta", "theta"), ("iota", "kappa"), ("lambda", "mu"),
                                       ("nu", "xi"), ("omicron", "pi")]):
        out.append({"messages": [
            {"role": "system", "content": say("Answer with one word.")},
            {"role": "user", "content": say(f"First word {i}?")},
            {"role": "assistant", "content": say(f"DRAFT {other}"), "loss_weight": 0},
            {"role": "user", "content": [{"type": "text", "value": "Say it "},
                                         {"type": "text", "text": "properly."}]},
            {"role": "assistant", "content": say(word), "loss_weight": 1}]})
    out[7]["messages"][4]["content"] = say("I am {{name}}.")      # a placeholder: reported
    return out


def sharegpt_parts() -> list:
    """ShareGPT turns whose `value` is a list of typed parts, one with OpenAI's `weight`."""
    return [
        {"conversations": [{"from": "human", "value": [{"type": "text", "text": "Hi"}]},
                           {"from": "gpt", "value": [{"type": "text", "content": "Hello"},
                                                     {"type": "image", "url": "x.png"}]}]},
        {"conversations": [{"from": "human", "value": "Two"},
                           {"from": "gpt", "value": "skip me", "weight": 0},
                           {"from": "human", "value": "Again"},
                           {"from": "gpt", "value": "learn me", "weight": 1}]},
        {"conversations": [{"from": "human", "value": "Nothing"},
                           {"from": "gpt", "value": "to learn", "loss_weight": 0}]},
    ]


def xlsx_bytes() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["This workbook holds reviews on the next sheet"])
    data = wb.create_sheet("Reviews")
    data.append(["label", "text", None])
    for row in [["pos", "Loved it", None], [1, "Number label", None], ["neg", "Hated it", None],
                ["pos", "Line\nbreak", None]]:
        data.append(row)
    import datetime
    wb.properties.created = wb.properties.modified = datetime.datetime(2024, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parquet_bytes(rows: list, nested: bool = False) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    return buf.getvalue()


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("data.csv", "label,text\n1,a\n")
    return buf.getvalue()


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8"
       b"N\x00\x00\x00\x00IEND\xaeB`\x82")

CHINESE = "标签,文本\n正面,这部电影非常好看，我很喜欢。\n负面,剧情太无聊了，浪费时间。\n正面,演员的表演很出色。\n"
LATIN = "label,text\npositive,Café crème – naïve “charm”\nnegative,Über-hyped résumé of clichés\npositive,Señor € 5\n"


def files() -> dict[str, bytes]:
    j = lambda v: json.dumps(v, ensure_ascii=False, indent=1).encode()
    jl = lambda rows: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    return {
        # tables
        "basic.csv": CSV_BASIC.encode(),
        "semicolon.csv": "label;text\n1;Gut, aber lang\n0;Schlecht; sehr\n1;Toll\n"
                         .replace("Schlecht; sehr", '"Schlecht; sehr"').encode(),
        "no_header.tsv": b"0\thide new secretions\n1\tthat loves its characters\n0\tsaw it\n"
                         b"1\ta smile\n",
        "trailing_columns.csv": b"label,text,,\n1,first,,\n0,second,,\n1,third,,\n",
        # text that unquoted delimiters spilled into unnamed columns
        "spilled.csv": b"label,text\npos,Loved it\nneg,Slow, long, and dull\npos,Fine\n"
                       b"neg,Bad, really\npos,Great cast\n",
        "spilled_middle.csv": b"review,stars\nnice film,5\nslow start, strong end,4\n"
                              b"so so,3\nno stars, no label,\nweak,1\n",
        "unnamed_pandas.csv": b"label,text,Unnamed: 2,Unnamed: 3\npos,Loved it,,\n"
                              b"neg,Slow, long, and dull\npos,Fine,,\nneg,Bad, really,\n",
        "mixed_endings.tsv": b"label\tsentence\r\n1\tcr lf\r\n0\tonly cr\r1\tonly lf\n0\tend\r\n",
        "blank_lines.csv": b"\n\nlabel,text\n1,first\n   \n\n0,second\n \t \n1,third\n\n",
        "excel_sep.csv": b"sep=;\r\nlabel;text\r\n1;a, b\r\n0;c\r\n1;d\r\n",
        "pairs.txt": "Go.\tVa !\nHi.\tSalut !\nRun!\tCours !\nWho?\tQui ?\n".encode(),
        "qa_any_names.csv": b"frage,antwort\nWie alt?,Zwanzig Jahre\nWo?,In Berlin bei Freunden\n"
                            b"Wann?,Morgen um acht Uhr\n",
        "source_target.csv": b"source,target\nhello world,bonjour le monde\ngood night,bonne nuit\n"
                             b"thank you,merci beaucoup\n",
        "reviews.xlsx": xlsx_bytes(),
        "table.parquet": parquet_bytes([{"label": "pos", "text": "good"},
                                        {"label": "neg", "text": "bad"},
                                        {"label": "pos", "text": "fine"}]),
        "messages.parquet": parquet_bytes([r for r in openai_messages()[:1]] * 1 + [
            {"messages": [{"role": "user", "content": "Ping"},
                          {"role": "assistant", "content": "Pong"}]}]),
        # encodings
        "utf8_bom.csv": b"\xef\xbb\xbf" + "label,text\n1,déjà vu\n0,naïve\n".encode(),
        "utf16.tsv": "label\ttext\n1\tgrüß dich\n0\t你好\n".encode("utf-16"),
        "gbk.csv": CHINESE.encode("gbk"),
        "cp1252.csv": LATIN.encode("cp1252"),
        # json layouts
        "array.json": j([{"text": "a", "label": 1}, {"text": "b", "label": 0},
                         {"text": "c", "label": 1}]),
        "wrapped.json": j({"version": 2, "data": [{"text": "x", "label": "yes"},
                                                  {"text": "y", "label": "no"}]}),
        "records.jsonl": jl([{"prompt": "p1", "completion": "c1"},
                             {"prompt": "p2", "completion": "c2"}]).replace(b"\n{", b"\n\n{", 1),
        "alpaca.json": j(alpaca()),
        "messages.jsonl": jl(openai_messages()),
        "sharegpt.json": j(sharegpt()),
        "parts_weighted.jsonl": jl(typed_parts_weighted()),
        "sharegpt_parts.json": j(sharegpt_parts()),
        "numeric_labels.json": j([{"text": "a", "label": 1}, {"text": "b", "label": "1"},
                                  {"text": "c", "label": "0"}, {"text": "d", "label": 0.0},
                                  {"text": "e", "label": "1.0"}]),
        # checks
        "checks.csv": CHECKS_CSV.encode(),
        "checks_val.csv": b"label,text\npositive,good movie\nnegative,brand new text\n"
                          b"NEGATIVE,another new one\nneutral,new neutral\n",
        "single_class.csv": b"label,text\nspam,buy now\nspam,cheap pills\nspam,win money\n",
        # broken files
        "empty.csv": b"",
        "blank.csv": b"\n\n   \n",
        "header_only.csv": b"label,text\n",
        "ragged.csv": b"label,text\n1,ok\n0,fine\n1,too,many,fields\n0,last\n",
        "short_row.csv": b"label,text\n1,ok\n0,fine\n1\n0,last\n",
        "bad.json": b'[\n  {"text": "a", "label": 1},\n  {"text": "b" "label": 0}\n]\n',
        "bad.jsonl": b'{"text": "a"}\n{"text": "b"}\n{"text": c}\n',
        "scalar.json": b'"just a string"',
        "zip_renamed.csv": zip_bytes(),
        "image_renamed.csv": PNG,
        "binary.csv": bytes(range(256)) * 4,
        "legacy.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
    }


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files().items():
        (out / name).write_bytes(data)
    print(f"wrote {len(files())} files to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
