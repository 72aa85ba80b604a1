"""`studio serve` under abuse: wrong field types, clients that hang up mid-reply, a crowd in
line, a prompt near the model's positions, a failure inside, strangers without the key.

The model is tiny-gpt made slow and endless on purpose (a forward hook sleeps per token and
always picks "a" or " ", never the end token), so "a long generation" is long on any machine
and whether a reply was called off shows in its token count, not in a stopwatch."""
import json
import threading
import time

import httpx
import pytest

from helpers import wait_for
from studio import serve_reply
from studio.inference import load_base_model
from studio.serve import BackgroundServer, build_app

openai = pytest.importorskip("openai")
KEY = "limits-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
HELLO = [{"role": "user", "content": "Tell me a long story."}]
SLOW = {"s": 0.0}       # seconds each generated token takes at least
END = {"after": 0, "steps": 0}  # with "after" set: the end token at that forward pass
LONG, STEP = 900, 0.02  # a long reply: at least LONG * STEP = 18 s if nobody calls it off


@pytest.fixture(scope="module")
def slow_lm():
    """tiny-gpt whose every step is at least SLOW["s"] long and whose reply is " a a a ..."
    for ever (a space every other token, so text streams in pieces), or until forward pass
    END["after"] gives the end token."""
    import torch
    lm = load_base_model("tiny-gpt", "chat")
    space, letter = lm.tokenizer(" a", add_special_tokens=False)["input_ids"]

    def endless(module, args, kwargs, output):
        if SLOW["s"]:
            time.sleep(SLOW["s"])
        ids = kwargs.get("input_ids") if kwargs.get("input_ids") is not None else args[0]
        nxt = torch.where(ids[:, -1] == space, letter, space)
        END["steps"] += 1
        if END["after"] and END["steps"] >= END["after"]:
            nxt = torch.full_like(nxt, lm.tokenizer.eos_token_id)
        output.logits[:, -1, :] = float("-inf")
        output.logits[torch.arange(len(nxt)), -1, nxt] = 0.0
        return output

    lm.model.register_forward_hook(endless, with_kwargs=True)
    return lm


@pytest.fixture(scope="module")
def server(slow_lm):
    srv = BackgroundServer(build_app(slow_lm, "slow", api_key=KEY, max_waiting=1)).start()
    yield srv
    srv.stop()


@pytest.fixture
def slow():
    SLOW["s"] = STEP
    yield
    SLOW["s"] = 0.0


def post(server, body, timeout=60, **kw):
    return httpx.post(f"{server.url}/chat/completions", json=body, headers=AUTH,
                      timeout=timeout, **kw)


def health(server) -> dict:
    return httpx.get(f"http://{server.host}:{server.port}/health", timeout=10).json()


def replies(server) -> list[dict]:
    return list(server.server.config.app.state.replies)


def is_error_shape(body: dict, param) -> bool:
    err = body["error"]
    return (set(err) == {"message", "type", "param", "code"} and err["param"] == param
            and err["message"].endswith(".") and "\n" not in err["message"]
            and "Traceback" not in err["message"])


BAD = [({"temperature": "hot"}, "temperature"), ({"temperature": [1]}, "temperature"),
       ({"temperature": 3}, "temperature"), ({"top_p": 1.5}, "top_p"), ({"top_p": "x"}, "top_p"),
       ({"stop": 5}, "stop"), ({"stop": ["a", 1]}, "stop"), ({"stop": list("abcde")}, "stop"),
       ({"max_tokens": -1}, "max_tokens"), ({"max_tokens": 1.5}, "max_tokens"),
       ({"max_tokens": "10"}, "max_tokens"), ({"max_tokens": True}, "max_tokens"),
       ({"max_completion_tokens": 0}, "max_completion_tokens"), ({"n": 2}, "n"),
       ({"stream": "yes"}, "stream"), ({"stream_options": 1}, "stream_options"),
       ({"stream_options": {"include_usage": "y"}}, "stream_options.include_usage"),
       ({"seed": "1"}, "seed"), ({"model": 5}, "model"),
       ({"presence_penalty": 1}, "presence_penalty"), ({"logprobs": True}, "logprobs"),
       ({"tools": [{"type": "function"}]}, "tools"),
       ({"response_format": {"type": "json_object"}}, "response_format"),
       ({"messages": "hi"}, "messages"), ({"messages": []}, "messages"),
       ({"messages": None}, "messages"), ({"messages": [1]}, "messages[0]"),
       ({"messages": [{"role": "user"}]}, "messages[0].content"),
       ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
       ({"messages": [{"role": 1, "content": "x"}]}, "messages[0].role"),
       ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
       ({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
        "messages[0].content[0]"),
       ({"messages": [{"role": "assistant", "content": "hi"}]}, "messages")]


@pytest.mark.parametrize("fields,param", BAD, ids=[f"{p}-{i}" for i, (_, p) in enumerate(BAD)])
@pytest.mark.heavy
def test_each_wrong_field_gets_a_400_naming_it(server, fields, param):
    r = post(server, {"messages": HELLO, "max_tokens": 2, **fields})
    assert r.status_code == 400, r.text
    assert is_error_shape(r.json(), param) and r.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"[" * 100_000, b"\xff\xfe"])
def test_a_body_that_is_not_an_object_gets_a_400(server, raw):
    r = httpx.post(f"{server.url}/chat/completions", content=raw, timeout=30,
                   headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400 and is_error_shape(r.json(), None)
    r = httpx.post(f"{server.url}/classify", content=raw, headers=AUTH, timeout=30)
    assert r.status_code == 400 and is_error_shape(r.json(), None)


def test_the_openai_client_sees_a_bad_request_not_a_server_error(server):
    client = openai.OpenAI(base_url=server.url, api_key=KEY, max_retries=0, timeout=30)
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="slow", messages=HELLO, max_tokens=2,
                                       extra_body={"temperature": "hot"})
    assert e.value.body["param"] == "temperature"


def test_a_failure_inside_is_a_500_with_the_shape_and_no_details(server, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("/srv/secret/path exploded")
    monkeypatch.setattr(serve_reply, "prompt_text", boom)
    for stream in (False, True):
        r = post(server, {"messages": HELLO, "max_tokens": 2, "stream": stream})
        assert r.status_code == 500 and is_error_shape(r.json(), None)
        assert "secret" not in r.text and r.json()["error"]["type"] == "server_error"
    monkeypatch.undo()
    assert post(server, {"messages": HELLO, "max_tokens": 2}).status_code == 200


def test_only_health_answers_without_the_key(server):
    base = f"http://{server.host}:{server.port}"
    opened = httpx.get(f"{base}/health", timeout=10)
    assert opened.status_code == 200 and opened.json()["status"] == "ok"
    assert "model" not in opened.json()  # what is served is for key holders
    for path in ("/openapi.json", "/docs", "/redoc", "/v1/models", "/v1/nothing", "/"):
        r = httpx.get(f"{base}{path}", timeout=10)
        assert r.status_code == 401 and is_error_shape(r.json(), None), path
    assert httpx.get(f"{base}/openapi.json", headers=AUTH, timeout=10).status_code == 200
    missing = httpx.get(f"{base}/v1/nothing", headers=AUTH, timeout=10)
    assert missing.status_code == 404 and is_error_shape(missing.json(), None)


def test_a_client_that_hangs_up_midstream_stops_its_generation(server, slow):
    before = len(replies(server))
    with httpx.Client(timeout=60, headers=AUTH) as c:
        with c.stream("POST", f"{server.url}/chat/completions",
                      json={"messages": HELLO, "max_tokens": LONG, "stream": True}) as r:
            for line in r.iter_lines():
                if '"content": "' in line and '"role"' not in line:
                    break  # the first piece of text: now hang up
    left = time.monotonic()
    short = post(server, {"messages": HELLO, "max_tokens": 8, "temperature": 0})
    waited = time.monotonic() - left
    assert short.status_code == 200 and short.json()["usage"]["completion_tokens"] == 8
    long = wait_for(lambda: replies(server)[before:][:1], 60, 0.05, "the server's reply")[0]
    assert long["cancelled"] == "client" and long["generated"] < LONG // 2, long
    # A generous bound: the abandoned reply alone would have taken LONG * STEP = 18 s.
    assert waited < LONG * STEP / 2
    start = time.monotonic()  # the same request with nobody before it, for the report
    assert post(server, {"messages": HELLO, "max_tokens": 8, "temperature": 0}).status_code == 200
    print(f"\nnext request after a hang-up answered in {waited:.2f} s (alone: "
          f"{time.monotonic() - start:.2f} s; the abandoned reply stopped after "
          f"{long['generated']} of {LONG} tokens)")


def test_a_non_streaming_client_that_gives_up_stops_its_generation(server, slow):
    before = len(replies(server))
    with pytest.raises(httpx.ReadTimeout):
        post(server, {"messages": HELLO, "max_tokens": LONG}, timeout=1.0)
    done = wait_for(lambda: replies(server)[before:][:1], 60, 0.05, "the server's reply")[0]
    assert done["cancelled"] == "client" and done["generated"] < LONG // 2, done


def test_the_line_is_bounded_and_health_never_waits(server, slow):
    """max_waiting=1: one generating, one waiting, the third is told to come back."""
    c = httpx.Client(timeout=60, headers=AUTH)
    long = {"messages": HELLO, "max_tokens": LONG, "stream": True}
    url = f"{server.url}/chat/completions"
    first = c.send(c.build_request("POST", url, json=long), stream=True)
    wait_for(lambda: health(server)["generating"], 60, 0.05, "a reply to be generating")
    second = c.send(c.build_request("POST", url, json=long), stream=True)
    wait_for(lambda: health(server)["waiting"] == 1, 60, 0.05, "a request to wait")
    try:
        full = post(server, {"messages": HELLO, "max_tokens": 4}, timeout=30)
        assert full.status_code == 429 and int(full.headers["Retry-After"]) > 0
        assert is_error_shape(full.json(), None) and "busy" in full.json()["error"]["message"]
        client = openai.OpenAI(base_url=server.url, api_key=KEY, max_retries=0, timeout=30)
        with pytest.raises(openai.RateLimitError):
            client.chat.completions.create(model="slow", messages=HELLO, max_tokens=4)
        state = health(server)  # answered while the model is busy and the line is full
        assert state["generating"] and state["waiting"] == 1
    finally:
        first.close()
        second.close()
        c.close()
    wait_for(lambda: not health(server)["generating"] and health(server)["waiting"] == 0,
             60, 0.05, "the server to be idle")
    assert post(server, {"messages": HELLO, "max_tokens": 4}).status_code == 200


def test_max_tokens_is_capped_to_the_positions_with_a_sentence(server, slow_lm):
    room = slow_lm.model.config.n_positions
    near = [{"role": "user", "content": "a" * (room - 80)}]
    r = post(server, {"messages": near, "max_tokens": 4096, "temperature": 0})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["choices"][0]["finish_reason"] == "length" and body["choices"][0]["message"]
    assert body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"] == room
    warning = r.headers["X-Studio-Warning"]
    assert "4096" in warning and f"{room} positions" in warning
    with httpx.stream("POST", f"{server.url}/chat/completions", headers=AUTH, timeout=60,
                      json={"messages": near, "max_tokens": 4096, "stream": True}) as s:
        lines = [line for line in s.iter_lines() if line]
        assert "lowered" in s.headers["X-Studio-Warning"]
    assert '"finish_reason": "length"' in lines[-2] and lines[-1] == "data: [DONE]"
    over = post(server, {"messages": [{"role": "user", "content": "a" * room}], "max_tokens": 4})
    assert over.status_code == 400 and is_error_shape(over.json(), "messages")
    assert over.json()["error"]["code"] == "context_length_exceeded"
    assert f"{room} positions" in over.json()["error"]["message"]


def test_two_clients_at_once_are_both_answered(server):
    out = []
    threads = [threading.Thread(target=lambda: out.append(post(server, {
        "messages": HELLO, "max_tokens": 6, "temperature": 0}).json())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    texts = [o["choices"][0]["message"]["content"] for o in out]
    assert len(texts) == 2 and texts[0] == texts[1]


@pytest.mark.parametrize("stream", [False, True])
def test_completion_tokens_leave_out_the_end_token(server, stream):
    """Four tokens of text, then the end token: the usage says 4 (it used to say 5)."""
    END.update(after=5, steps=0)  # forward 1 reads the prompt; 2-4 and 1 give " a a"; 5 ends
    try:
        body = {"messages": HELLO, "max_tokens": 50, "temperature": 0, "stream": stream,
                "stream_options": {"include_usage": True} if stream else None}
        r = post(server, body)
    finally:
        END.update(after=0)
    assert r.status_code == 200, r.text
    if stream:
        chunks = [json.loads(line[6:]) for line in r.text.splitlines()
                  if line.startswith("data: {")]
        text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks
                       if c["choices"])
        finish = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1]
        usage = chunks[-1]["usage"]
    else:
        choice, usage = r.json()["choices"][0], r.json()["usage"]
        text, finish = choice["message"]["content"], choice["finish_reason"]
    assert text == " a a" and finish == "stop"
    assert usage["completion_tokens"] == 4 and replies(server)[-1]["generated"] == 5
