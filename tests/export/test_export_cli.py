"""`python -m studio export` as a user runs it."""
import json
import time

import pytest

from conftest import run_cli


@pytest.mark.heavy
def test_export_zip_from_the_command_line(bert_run):
    ws = bert_run.parent.parent
    out = run_cli("export", bert_run.name[:20], "--format", "zip", "--workspace", str(ws),
                  "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["format"] == "zip" and result["path"].endswith(".zip")
    assert result["size_bytes"] > 0 and "transformers" in result["snippets"]


@pytest.mark.heavy
def test_export_errors_are_one_line_and_exit_2(bert_run):
    ws = str(bert_run.parent.parent)
    started = time.monotonic()
    runs = [run_cli("export", "no-such-run", "--format", "zip", "--workspace", ws),
            run_cli("export", bert_run.name, "--format", "gguf", "--workspace", ws),
            run_cli("export", bert_run.name, "--hub", "me/model", "--workspace", ws,
                    env={"HF_HUB_OFFLINE": "1"})]
    for out in runs:
        assert out.returncode == 2
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    assert "No run 'no-such-run'" in runs[0].stderr
    assert "GPT-2, Llama, Mistral or Qwen2 architecture" in runs[1].stderr
    assert "cannot be reached" in runs[2].stderr
    assert time.monotonic() - started < 60
