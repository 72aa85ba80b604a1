"""Hosted safety, round two: items 1, 2, 12 and 14: bounded readers, wrong-typed events
and the messages, from the engine, the CLI and (where a browser reaches it) a running hosted app.

 1. a 1.6 KB .xlsx whose one cell sits at XFD1048576 is refused at once with a sentence (engine,
    `python -m studio inspect`, and an upload to a hosted app, whose next upload still works);
 2. an .xlsx zip bomb is refused by its declared size, by the bytes really inflated, by rows,
    cells and time, each with one sentence;
12. a well-formed event with a wrong-typed field is skipped: `runs` lists the run after a rebuild;
14. deep JSON, 100k columns, one huge cell, a read-only workspace, server paths in hosted
    messages and job.yaml, `export ""`, and the model box's folder oracle.
"""
from __future__ import annotations

import errno
import json
import struct
import zipfile
from pathlib import Path

import pytest

from conftest import run_cli
from studio.data.readers import read_any
from studio.errors import DataError

# ---- crafting workbooks by hand (openpyxl would never write these) ---------------------------

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
                    f'<Relationship Id="rId1" Type="{REL}/officeDocument" '
                    f'Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
                        f'xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" '
                        f'r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
                                   f'xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/'
                                   f'worksheet" Target="worksheets/sheet1.xml"/>'
                                   f'</Relationships>'),
}


def cell(text: str, ref: str = "") -> str:
    r = f' r="{ref}"' if ref else ""
    return f'<c{r} t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(path: Path, rows: str, dimension: str = "") -> Path:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{dim}'
             f'<sheetData>{rows}</sheetData></worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in PARTS.items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def far_cell_xlsx(path: Path, dimension: str = "A1:XFD1048576") -> Path:
    """The attack file: a header cell and one cell at XFD1048576 (about 1.5 KB)."""
    return workbook(path, f'<row r="1">{cell("text", "A1")}{cell("label", "B1")}</row>'
                          f'<row r="1048576">{cell("x", "XFD1048576")}</row>', dimension)


def table_xlsx(path: Path, rows: int) -> Path:
    """An honest two-column sheet of `rows` rows (identical rows compress to almost nothing)."""
    body = "<row>" + cell("text") + cell("label") + "</row>"
    one = "<row>" + cell("good film") + cell("pos") + "</row>"
    return workbook(path, body + one * rows)


def lie_about_sizes(path: Path, member: str, size: int) -> None:
    """Rewrite `member`'s uncompressed size in its local header and the central directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        n = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30:local + 30 + n]) == name:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        n = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46:central + 46 + n]) == name:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


@pytest.fixture
def hosted_env(monkeypatch):
    monkeypatch.setenv("STUDIO_HOSTED", "1")


# ---- 1. declared dimensions ----------------------------------------------------------------

@pytest.mark.parametrize("dimension", ["A1:XFD1048576", ""])
def test_far_cell_is_refused_with_a_sentence_by_the_engine(tmp_path, dimension):
    """Locally: 16,384 columns > 5,000, whether the sheet declares it or only its cell says so.
    (A cell at column 6,000 reads fine today: the test fails on the old reader.)"""
    path = workbook(tmp_path / "wide.xlsx", f'<row r="1">{cell("text", "A1")}'
                                            f'{cell("x", "HVT2")}</row>', dimension and
                    "A1:HVT2")
    with pytest.raises(DataError) as e:
        read_any(path)
    assert e.value.code == "too_many_columns", e.value
    assert "wide.xlsx has 6,000 columns" in str(e.value) and "limit of 5,000" in str(e.value)
    with pytest.raises(DataError) as e:
        read_any(far_cell_xlsx(tmp_path / "dim.xlsx", dimension))
    assert e.value.code == "too_many_columns" and "16,384 columns" in str(e.value)


def test_hosted_limits_are_lower(tmp_path, hosted_env):
    with pytest.raises(DataError) as e:
        read_any(far_cell_xlsx(tmp_path / "dim.xlsx"))
    assert e.value.code == "too_many_columns" and "limit of 1,000" in str(e.value)
    tall = workbook(tmp_path / "tall.xlsx", f'<row r="600000">{cell("x", "B600000")}</row>',
                    "A1:B600000")
    with pytest.raises(DataError) as e:
        read_any(tall)
    assert e.value.code == "too_many_rows" and "limit of 500,000 rows" in str(e.value)


@pytest.mark.heavy
def test_inspect_answers_the_far_cell_file_at_once(tmp_path):
    path = far_cell_xlsx(tmp_path / "dim.xlsx")
    assert path.stat().st_size < 2000
    r = run_cli("inspect", str(path), timeout=120)  # today: walks a million rows for minutes
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == ("error: dim.xlsx has 16,384 columns, above this studio's limit "
                                "of 5,000; keep only the columns the training needs (text and "
                                "label) and save the file again.")


# ---- 2. zip bombs, rows, cells, time --------------------------------------------------------

def test_bomb_is_refused_by_its_declared_size(tmp_path, monkeypatch):
    path = table_xlsx(tmp_path / "bomb.xlsx", 200_000)  # ~20 MB of XML in ~60 KB
    assert path.stat().st_size < 200_000
    monkeypatch.setenv("STUDIO_READ_MAX_UNPACKED_MB", "8")
    with pytest.raises(DataError) as e:
        read_any(path)
    assert e.value.code == "too_much_unpacked"
    assert str(e.value) == ("bomb.xlsx expands to more than 8 MB when unpacked, this studio's "
                            "limit for a spreadsheet; save it as CSV or split it into smaller "
                            "files.")


def test_bomb_is_refused_by_its_inflation_ratio_at_default_limits(tmp_path):
    """20 MB of XML from ~60 KB (300x) is under the local 1,024 MB, but no real sheet inflates
    like that: refused before a row is parsed."""
    path = table_xlsx(tmp_path / "bomb.xlsx", 200_000)
    with pytest.raises(DataError) as e:
        read_any(path)
    assert e.value.code == "zip_bomb", e.value
    assert "more than the 100 times a real spreadsheet does" in str(e.value)


def test_bomb_with_a_lying_header_is_refused(tmp_path, monkeypatch):
    """Declared 2 KB, really 20 MB: refused with a sentence (today: a BadZipFile traceback)."""
    path = table_xlsx(tmp_path / "liar.xlsx", 200_000)
    lie_about_sizes(path, "xl/worksheets/sheet1.xml", 2_000)
    monkeypatch.setenv("STUDIO_READ_MAX_UNPACKED_MB", "8")
    with pytest.raises(DataError) as e:
        read_any(path)
    assert e.value.code in ("bad_xlsx", "too_much_unpacked"), e.value
    assert "liar.xlsx" in str(e.value)


@pytest.mark.heavy
def test_the_inflated_bytes_are_counted_while_streaming(tmp_path, monkeypatch):
    """Without the declared-size check (a zip reader that trusted no header), the stream's own
    count stops the read at the limit."""
    from studio.data import xlsx
    path = table_xlsx(tmp_path / "bomb.xlsx", 50_000)  # ~5 MB of XML
    monkeypatch.setenv("STUDIO_READ_MAX_UNPACKED_MB", "1")
    monkeypatch.setattr(xlsx, "check_archive", lambda p, limits: 2**20)
    with pytest.raises(DataError) as e:
        read_any(path)
    assert e.value.code == "too_much_unpacked"


@pytest.mark.parametrize("variable, value, code, words", [
    ("STUDIO_READ_MAX_ROWS", "100", "too_many_rows", "limit of 100 rows"),
    ("STUDIO_READ_MAX_CELLS", "300", "too_many_cells", "more than 300 cells"),
    ("STUDIO_READ_MAX_SECONDS", "0.000001", "read_too_slow", "took longer than 1e-06 seconds"),
])
def test_rows_cells_and_time_are_bounded(tmp_path, monkeypatch, variable, value, code, words):
    path = table_xlsx(tmp_path / "t.xlsx", 600)
    monkeypatch.setenv(variable, value)
    with pytest.raises(DataError) as e:
        read_any(path)
    assert e.value.code == code and words in str(e.value), e.value


def test_an_honest_workbook_still_reads(tmp_path):
    frame, info = read_any(table_xlsx(tmp_path / "ok.xlsx", 30))
    assert info["format"] == "xlsx" and list(frame.columns) == ["text", "label"]
    assert len(frame) == 30 and frame.iloc[0].tolist() == ["good film", "pos"]


# ---- 14. messages: deep JSON, wide CSV, huge cell -------------------------------------------

@pytest.mark.heavy
def test_deep_json_is_one_sentence_engine_and_cli(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataError) as e:
        read_any(deep)
    assert e.value.code == "too_deep" and "nested deeper than 64 levels" in str(e.value)
    lines = tmp_path / "deep.jsonl"
    lines.write_text('{"text": ' + "[" * 100_000 + "]" * 100_000 + '}\n{"text": "a"}\n')
    r = run_cli("inspect", str(lines), timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "deep.jsonl holds JSON nested deeper than 64 levels" in r.stderr


def test_a_100k_column_csv_names_the_column_limit(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" +
                    ",".join("x" for _ in range(100_000)) + "\n")
    with pytest.raises(DataError) as e:
        read_any(path)
    assert e.value.code == "too_many_columns", e.value  # today: "wide.csv is empty"
    assert "wide.csv has 100,000 columns" in str(e.value)


@pytest.mark.parametrize("head", ["", "text,label\n"])
@pytest.mark.heavy
def test_a_huge_cell_names_the_cell_limit(tmp_path, head):
    path = tmp_path / "cell.csv"
    path.write_text(head + '"' + "a" * (6 * 2**20) + '",pos\nhi,neg\n')
    with pytest.raises(DataError) as e:
        read_any(path)
    assert e.value.code == "cell_too_long", e.value  # today: "cell.csv is empty"
    assert "longer than 4 MB" in str(e.value)


def test_a_long_but_fine_first_cell_still_reads(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("text,label\n" + "a" * 300_000 + ",pos\nhi,neg\n")
    frame, _ = read_any(path)
    assert len(frame) == 2 and len(frame.iloc[0]["text"]) == 300_000


# ---- 14. messages: server paths, read-only workspace, empty run id --------------------------

def test_hosted_messages_name_the_file_not_the_path(tmp_path, hosted_env):
    missing = tmp_path / "uploads" / "abc123" / "reviews.csv"
    with pytest.raises(DataError) as e:
        read_any(missing)
    assert str(e.value) == "reviews.csv does not exist; check the path."
    assert str(tmp_path) not in json.dumps(e.value.params)


def test_local_messages_keep_the_path(tmp_path):
    with pytest.raises(DataError) as e:
        read_any(tmp_path / "reviews.csv")
    assert str(tmp_path) in str(e.value)


def _run_with_upload(workspace: Path):
    from studio.config import JobConfig
    from studio.runs import Registry
    upload = workspace / "uploads" / "abc123" / "reviews.csv"
    upload.parent.mkdir(parents=True)
    upload.write_text("text,label\ngood,pos\nbad,neg\n")
    cfg = JobConfig(task="classification", name="r")
    cfg.data.train_file = str(upload)
    return Registry(workspace), upload, cfg


def test_hosted_job_yaml_download_and_export_hold_no_server_path(tmp_path, monkeypatch,
                                                                  hosted_env):
    import yaml
    from components.train_step import download_copy
    from studio.export.bundle import write_zip
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    registry, upload, cfg = _run_with_upload(tmp_path / "ws")
    run = registry.new_run(cfg)
    folder = registry.folder(run)
    text = Path(download_copy(folder.job_file, run.id)).read_text()
    assert str(tmp_path) not in text
    assert yaml.safe_load(text)["data"]["train_file"] == "uploads/abc123/reviews.csv"
    merged = tmp_path / "merged"
    merged.mkdir()
    (merged / "config.json").write_text("{}")
    out = write_zip(folder, merged, tmp_path / "out.zip")
    with zipfile.ZipFile(out) as z:
        exported = z.read("job.yaml").decode()
    assert str(tmp_path) not in exported and "uploads/abc123/reviews.csv" in exported


def test_local_job_yaml_download_keeps_the_path(tmp_path, monkeypatch):
    from components.train_step import download_copy
    registry, upload, cfg = _run_with_upload(tmp_path / "ws")
    run = registry.new_run(cfg)
    text = Path(download_copy(registry.folder(run).job_file, run.id)).read_text()
    assert str(upload) in text


@pytest.mark.parametrize("hosted", [True, False])
def test_a_read_only_workspace_on_upload_is_one_sentence(tmp_path, monkeypatch, hosted):
    import shutil
    from components.common import keep_upload
    if hosted:
        monkeypatch.setenv("STUDIO_HOSTED", "1")
    src = tmp_path / "gradio" / "reviews.csv"
    src.parent.mkdir()
    src.write_text("text,label\na,b\n")
    workspace = tmp_path / "ws"

    def refuse(a, b, *args, **kwargs):  # root ignores chmod; the OS's answer, faked
        raise PermissionError(errno.EROFS, "Read-only file system", str(b))
    monkeypatch.setattr(shutil, "copyfile", refuse)
    with pytest.raises(DataError) as e:
        keep_upload(str(src), workspace)
    text = str(e.value)
    code = "upload_read_only_hosted" if hosted else "upload_read_only"  # hosted: no path
    assert e.value.code == code and "is not writable" in text, text
    assert (str(tmp_path) in text) is not hosted  # hosted: no server path at all


@pytest.mark.parametrize("verb", [["export", "", "--format", "zip"], ["predict", "", "--text",
                                                                    "x"], ["stop", ""]])
@pytest.mark.heavy
def test_an_empty_run_id_is_refused(tmp_path, verb):
    from studio.config import JobConfig
    from studio.runs import Registry
    cfg = JobConfig(task="classification", name="newest")
    cfg.data.train_file = str(tmp_path / "x.csv")
    Registry(tmp_path / "ws").new_run(cfg)
    r = run_cli(*verb, "--workspace", str(tmp_path / "ws"), timeout=300)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "No run id was given" in r.stderr and "Traceback" not in r.stderr


# ---- 12. wrong-typed event fields -----------------------------------------------------------

BAD_EVENTS = [
    {"type": "done", "time": 1.0, "metrics": [1, 2]},
    {"type": "done", "time": 1.0, "metrics": {"accuracy": "high"}},
    {"type": "start", "time": 1.0, "task": 5, "model": ["x"]},
    {"type": "failed", "time": "yesterday", "reason": {"a": 1}},
]


@pytest.mark.parametrize("bad", BAD_EVENTS)
@pytest.mark.heavy
def test_wrong_typed_event_is_skipped_and_runs_lists_the_run(tmp_path, bad):
    from studio.config import JobConfig
    from studio.events import read_all
    from studio.runs import Registry
    ws = tmp_path / "ws"
    cfg = JobConfig(task="classification", name="typed")
    cfg.data.train_file = str(tmp_path / "x.csv")
    run = Registry(ws).new_run(cfg)
    events = Registry(ws).folder(run).events_file
    good = {"type": "log", "time": 1.0, "step": 1, "loss": 0.5}
    events.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    assert read_all(events) == [good]
    for path in ws.glob("studio.sqlite*"):
        path.unlink()
    (ws / "studio.sqlite").write_bytes(b"garbage, not a database" * 10)
    r = run_cli("runs", "--workspace", str(ws), timeout=300)
    assert r.returncode == 0, r.stderr
    assert run.id in r.stdout and "Traceback" not in r.stderr


# ---- against a running hosted app -----------------------------------------------------------

@pytest.fixture(scope="module")
def hosted(tmp_path_factory, app_server):
    # The unpacked limit lowered so that a 60 KB bomb stands for a 1 MB one.
    app = app_server(tmp_path_factory.mktemp("hosted-readers-ws"), "--hosted",
                     env={"STUDIO_READ_MAX_UNPACKED_MB": "8"})
    yield app


def test_hosted_upload_of_the_far_cell_file_answers_and_the_next_upload_works(hosted, tmp_path):
    from hosted_app import browser_http, file_data, raw_call, upload
    attacker, honest = browser_http(hosted), browser_http(hosted)
    for name, path, words in [
            ("dim.xlsx", far_cell_xlsx(tmp_path / "dim.xlsx"),
             "dim.xlsx has 16,384 columns, above this studio's limit of 1,000"),
            ("bomb.xlsx", table_xlsx(tmp_path / "bomb.xlsx", 200_000),
             "bomb.xlsx expands to more than 8 MB when unpacked")]:
        [server_path] = upload(attacker, (name, path.read_bytes()))
        kind, payload = raw_call(attacker, "on_file", [file_data(server_path), None])
        text = json.dumps(payload)
        assert kind == "complete" and words in text, payload
        assert "Something unexpected" not in text and str(hosted.workspace) not in text
    [csv] = upload(honest, ("fine.csv", b"text,label\ngood film,pos\nbad film,neg\n"))
    kind, payload = raw_call(honest, "on_file", [file_data(csv), None])
    assert kind == "complete" and "2 usable rows" in json.dumps(payload), payload


def test_hosted_deep_json_upload_is_one_sentence(hosted):
    from hosted_app import browser_http, file_data, raw_call, upload
    http = browser_http(hosted)
    [path] = upload(http, ("deep.json", b"[" * 100_000 + b"]" * 100_000))
    kind, payload = raw_call(http, "on_file", [file_data(path), None])
    text = json.dumps(payload)
    assert kind == "complete" and "nested deeper than 64 levels" in text, payload
    assert "recursion" not in text and "Something unexpected" not in text


def test_model_box_answers_an_existing_and_a_missing_two_part_path_alike(hosted):
    from hosted_app import client
    c = client(hosted)
    answers = {name: c.predict(name, api_name="/check_model").replace(name, "NAME")
               for name in ("assets/samples", "nope/nothing", "studio/data", "tests/nothing")}
    assert len(set(answers.values())) == 1, answers  # today: a folder is "not a Hub id"
