"""`studio serve`: the official openai client against a served tiny-gpt run (streaming and not),
stop strings, max_tokens, the API key, /v1/models, /v1/classify, two requests at once, and
SIGTERM during a reply (abuse, limits and the token count: test_serve_limits.py)."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from conftest import ROOT
from helpers import make_job, train_in_process
from studio.inference import chat_messages, classify, generate_text, load_run_model
from studio.runfolder import RunFolder
from studio.serve import BackgroundServer, build_app

openai = pytest.importorskip("openai")
KEY = "test-key"
HELLO = [{"role": "user", "content": "Say yes, please (3)."}]


@pytest.fixture(scope="module")
def chat_run(tmp_path_factory):
    """tiny-gpt fully fine-tuned to answer "yes yes ...": a few seconds, and replies with
    words and spaces, so stop strings and streamed pieces have something to cut."""
    folder = tmp_path_factory.mktemp("serve-ws")
    rows = [{"instruction": f"Say yes, please ({i}).", "input": "",
             "output": "yes yes yes no yes yes yes no yes"} for i in range(48)]
    (folder / "yes.json").write_text(json.dumps(rows))
    code, run_dir, _ = train_in_process(make_job(folder / "yes.json", "tiny-gpt",
                                                 train__epochs=4, train__learning_rate=0.01,
                                                 train__batch_size=8, train__eval_before=False,
                                                 train__generation_samples=0,
                                                 data__system_prompt="Answer briefly."),
                                        folder / "ws")
    assert code == 0
    return run_dir


@pytest.fixture(scope="module")
def chat_lm(chat_run):
    return load_run_model(RunFolder(chat_run).model_dir, chat_run.name)


@pytest.fixture(scope="module")
def server(chat_lm):
    srv = BackgroundServer(build_app(chat_lm, api_key=KEY)).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server):
    return openai.OpenAI(base_url=server.url, api_key=KEY, max_retries=0, timeout=60)


def greedy(lm, n):
    """What the studio's own chat generation says (greedy): the server must say the same."""
    return generate_text(lm, chat_messages(lm, HELLO[0]["content"]), max_new_tokens=n,
                         temperature=0)


@pytest.mark.heavy
def test_models_lists_the_run(client, chat_run):
    ids = [m.id for m in client.models.list().data]
    assert ids == [chat_run.name]


def test_chat_completion_answers_like_the_studio(client, chat_lm, chat_run):
    reply = client.chat.completions.create(model=chat_run.name, messages=HELLO, max_tokens=16,
                                           temperature=0)
    text = reply.choices[0].message.content
    assert text.strip() == greedy(chat_lm, 16) and text.strip()
    assert reply.object == "chat.completion" and reply.choices[0].message.role == "assistant"
    assert reply.usage.completion_tokens <= 16 and reply.usage.prompt_tokens > 5
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    if reply.usage.completion_tokens == 16:
        assert reply.choices[0].finish_reason == "length"


def test_streaming_gives_the_same_text_in_pieces(client, chat_run):
    whole = client.chat.completions.create(model=chat_run.name, messages=HELLO, max_tokens=16,
                                           temperature=0).choices[0].message.content
    chunks = list(client.chat.completions.create(
        model=chat_run.name, messages=HELLO, max_tokens=16, temperature=0, stream=True,
        stream_options={"include_usage": True}))
    pieces = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    assert "".join(pieces) == whole and len([p for p in pieces if p]) > 1
    assert chunks[0].choices[0].delta.role == "assistant"
    finals = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finals[-1] in ("stop", "length") and not any(finals[:-1])
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_raw_stream_is_server_sent_events(server, chat_run):
    with httpx.stream("POST", f"{server.url}/chat/completions", timeout=60,
                      headers={"Authorization": f"Bearer {KEY}"},
                      json={"messages": HELLO, "max_tokens": 4, "stream": True}) as r:
        lines = [line for line in r.iter_lines() if line]
    assert r.headers["content-type"].startswith("text/event-stream")
    assert all(line.startswith("data: ") for line in lines) and lines[-1] == "data: [DONE]"


def test_stop_string_cuts_the_reply(client, chat_run):
    whole = client.chat.completions.create(model=chat_run.name, messages=HELLO, max_tokens=24,
                                           temperature=0).choices[0].message.content
    stop = whole.strip()[len(whole.strip()) // 2:][:2]
    assert stop
    for stream in (False, True):
        reply = client.chat.completions.create(model=chat_run.name, messages=HELLO,
                                               max_tokens=24, temperature=0, stop=[stop],
                                               stream=stream)
        if stream:
            chunks = [c for c in reply if c.choices]
            text = "".join(c.choices[0].delta.content or "" for c in chunks)
            finish = chunks[-1].choices[0].finish_reason
        else:
            text, finish = reply.choices[0].message.content, reply.choices[0].finish_reason
        assert text == whole[:whole.index(stop)] and finish == "stop"


def test_sampling_settings_are_accepted(client, chat_run):
    reply = client.chat.completions.create(model=chat_run.name, messages=HELLO, max_tokens=8,
                                           temperature=1.2, top_p=0.5)
    assert reply.choices[0].finish_reason in ("stop", "length")


def test_api_key_is_required(server, chat_run):
    for key in ("wrong", ""):
        bad = openai.OpenAI(base_url=server.url, api_key=key or "x", max_retries=0)
        if not key:
            bad = openai.OpenAI(base_url=server.url, api_key="x", max_retries=0,
                                default_headers={"Authorization": ""})
        with pytest.raises(openai.AuthenticationError):
            bad.models.list()


def test_bad_requests_get_one_sentence(client, chat_run):
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=chat_run.name, max_tokens=4,
                                       messages=[{"role": "assistant", "content": "hi"}])
    assert "last message must be the user's" in str(e.value)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=chat_run.name, messages=HELLO, max_tokens=0)
    r = httpx.post(f"{client.base_url}classify", json={"input": "x"},
                   headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 400 and "/v1/chat/completions" in r.json()["error"]["message"]


def test_two_requests_at_once_both_answer(client, chat_run):
    answers = [None, None]

    def ask(i):
        answers[i] = client.chat.completions.create(
            model=chat_run.name, messages=HELLO, max_tokens=12,
            temperature=0).choices[0].message.content

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers[0] == answers[1] and answers[0]


@pytest.mark.heavy
def test_classifier_is_served_on_classify(data_dir, tmp_path):
    code, run_dir, _ = train_in_process(make_job(data_dir / "sentiment.csv", "tiny-bert",
                                                 train__epochs=1, train__eval_before=False),
                                        tmp_path / "ws")
    assert code == 0
    lm = load_run_model(RunFolder(run_dir).model_dir, run_dir.name)
    srv = BackgroundServer(build_app(lm)).start()
    try:
        texts = ["the film was great", "the plot was dull"]
        body = httpx.post(f"{srv.url}/classify", json={"input": texts}, timeout=30).json()
        expected = classify(lm, texts)
        assert [d["label"] for d in body["data"]] == [e["prediction"] for e in expected]
        for got, want in zip(body["data"], expected):
            assert got["probabilities"] == pytest.approx(want["probabilities"], abs=1e-6)
        client = openai.OpenAI(base_url=srv.url, api_key="none", max_retries=0)
        with pytest.raises(openai.BadRequestError) as e:
            client.chat.completions.create(model=run_dir.name, messages=HELLO)
        assert "/v1/classify" in str(e.value)
    finally:
        srv.stop()


def _start_serve(chat_run, *python_args):
    """`python ... -m studio serve RUN --port P --api-key K` (python_args: how python runs the
    studio), once /health answers: (process, port)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, *(python_args or ("-m", "studio")), "serve",
                             chat_run.name, "--port", str(port), "--api-key", KEY,
                             "--workspace", str(chat_run.parent.parent)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc, port
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.3)
    proc.kill()
    raise AssertionError("serve did not start in 120 s")


@pytest.mark.heavy
def test_serve_command(chat_run):
    """`python -m studio serve RUN --port P --api-key K`, asked with the openai client."""
    proc, port = _start_serve(chat_run)
    try:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY,
                               max_retries=0)
        reply = client.chat.completions.create(model=chat_run.name, messages=HELLO,
                                               max_tokens=4)
        assert reply.choices[0].finish_reason in ("stop", "length")
    finally:
        proc.terminate()
        proc.wait(20)


# `python -m studio` with every step of the GPT made 20 ms slow and its end token masked: a
# reply of 900 tokens takes 18 s+, however fast the machine.
SLOW_STUDIO = """
import runpy, sys, time, torch
def slow(module, args, output):
    if type(module).__name__ == "GPT2LMHeadModel":
        time.sleep(0.02)
        output.logits[..., module.config.eos_token_id] = float("-inf")
    return output
torch.nn.modules.module.register_module_forward_hook(slow)
sys.argv[0] = "studio"
runpy.run_module("studio", run_name="__main__")
"""


@pytest.mark.heavy
def test_sigterm_calls_replies_off_and_exits_promptly(chat_run):
    proc, port = _start_serve(chat_run, "-c", SLOW_STUDIO)
    lines: list[str] = []

    def ask():
        try:
            with httpx.stream("POST", f"http://127.0.0.1:{port}/v1/chat/completions",
                              headers={"Authorization": f"Bearer {KEY}"}, timeout=60,
                              json={"messages": HELLO, "max_tokens": 900, "stream": True}) as r:
                lines.extend(line for line in r.iter_lines() if line)
        except httpx.HTTPError as e:
            lines.append(f"transport error: {e!r}")

    asking = threading.Thread(target=ask, daemon=True)
    asking.start()
    try:
        deadline = time.monotonic() + 60
        while not any('"content": "' in line and '"role"' not in line for line in lines):
            assert time.monotonic() < deadline and asking.is_alive(), lines
            time.sleep(0.05)
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        took = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            proc.kill()
    asking.join(30)
    assert took < 10, f"serve took {took:.1f} s to exit after SIGTERM"
    assert any("shutting_down" in line for line in lines) and lines[-1] == "data: [DONE]"
    print(f"\nserve exited {took:.2f} s after SIGTERM during a 900-token reply")

