"""Hosted safety, round two: items 3, 4, 5, 6 and 13:

 3. queue places per client address and in total, not per cookie; a job whose owner left
    is dropped with its reason recorded;
 4. logins limited per account and per address, concurrent tries counted, a success clearing
    only its own account's failures from its own address;
 5. gradio's session state keyed by the client, not by the session hash it chose;
 6. X-Forwarded-For believed only from a configured proxy (also with SPACE_ID set);
13. a training child's environment is an allow-list; hosted, the server's Hub token never
    goes to a visitor's job.

Unit tests use an injectable clock (no sleeping); the attacks run against `app.py --hosted`.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from gradio_client import handle_file
from hosted_app import SAMPLES, App, browser_http, client, raw_call, run_ids, start_training

SECRET_CSV = b"text,label\nthe vault code is 4711 and nobody may read it,secret\nhi there,other\n"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


# ---- 13. the training child's environment ----------------------------------------------------

SERVER_ENV = {"PATH": "/usr/bin", "HOME": "/home/s", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
              "OMP_NUM_THREADS": "2", "CUDA_VISIBLE_DEVICES": "0", "HF_HOME": "/hf",
              "HF_HUB_OFFLINE": "1", "STUDIO_WORKSPACE": "/ws", "STUDIO_HOSTED": "1",
              "DATABASE_URL": "postgres://u:dbpass-xyz@h/db", "OPENAI_KEY": "sk-server",
              "STUDIO_AUTH": "alice:pw", "STUDIO_API_KEY": "serve-key", "HF_TOKEN": "hf_server",
              "HUGGING_FACE_HUB_TOKEN": "hf_server2", "SESSION_SECRET": "s", "MYAPP_DSN": "x"}


def test_child_environment_is_an_allow_list():
    from studio.child_env import child_environment
    for hosted in (False, True):
        env = child_environment(hosted, None, needs_hub=False, environ=SERVER_ENV)
        for kept in ("PATH", "HOME", "LANG", "LC_ALL", "OMP_NUM_THREADS", "CUDA_VISIBLE_DEVICES",
                     "HF_HOME", "HF_HUB_OFFLINE", "STUDIO_WORKSPACE", "STUDIO_HOSTED"):
            assert env[kept] == SERVER_ENV[kept], kept
        for gone in ("DATABASE_URL", "OPENAI_KEY", "STUDIO_AUTH", "STUDIO_API_KEY", "HF_TOKEN",
                     "HUGGING_FACE_HUB_TOKEN", "SESSION_SECRET", "MYAPP_DSN"):
            assert gone not in env, gone
        assert "dbpass-xyz" not in str(env)


def test_hub_token_is_the_local_users_and_never_a_visitors():
    from studio.child_env import child_environment
    local = child_environment(False, None, needs_hub=True, environ=SERVER_ENV)
    assert local["HF_TOKEN"] == "hf_server"  # the person at the keyboard's own token
    hosted = child_environment(True, None, needs_hub=True, environ=SERVER_ENV)
    assert "HF_TOKEN" not in hosted and "HUGGING_FACE_HUB_TOKEN" not in hosted
    assert hosted["HF_HUB_DISABLE_IMPLICIT_TOKEN"] == "1"  # nor the server's token file
    brought = child_environment(True, "hf_visitor", needs_hub=True, environ=SERVER_ENV)
    assert brought["HF_TOKEN"] == "hf_visitor" and "hf_server" not in str(brought)


def test_the_queue_spawns_hosted_hub_jobs_without_the_servers_secrets(tmp_path, monkeypatch):
    """The launcher's real wiring: what a hosted visitor's Hub-id job is started with."""
    from studio.config import JobConfig
    from studio.launcher import JobQueue
    from studio.runs import Registry

    class Proc:
        pid, reason = None, ""

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    class Capture:
        name, remote, max_parallel = "capture", False, None
        envs = []

        def submit(self, run, argv, env, cwd, stdout_path):
            self.envs.append(env)
            return Proc()

        def reattach(self, run):
            return None

    for key, value in SERVER_ENV.items():
        if key not in ("PATH", "HOME"):
            monkeypatch.setenv(key, value)
    registry = Registry(tmp_path)
    backend = Capture()
    queue = JobQueue(registry, backend=backend)
    cfg = JobConfig(task="classification")
    cfg.model.name = "someone/private-model"  # a Hub id: the server's token would fetch it
    cfg.data.train_file = str(SAMPLES / "reviews_sentiment.csv")
    queue._spawn(registry.new_run(cfg, owner="anon:x"))
    env = backend.envs[-1]
    assert env["STUDIO_HOSTED"] == "1"
    for gone in ("DATABASE_URL", "OPENAI_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
                 "STUDIO_AUTH", "STUDIO_API_KEY"):
        assert gone not in env, gone
    assert not {"postgres://u:dbpass-xyz@h/db", "sk-server", "hf_server"} & set(env.values())


# ---- 6. which address a request comes from --------------------------------------------------

def test_forwarded_for_counts_only_from_a_trusted_proxy():
    from studio.proxies import client_address, configured, parse
    none = []
    assert client_address("127.0.0.2", "127.0.0.1", none) == "127.0.0.1"  # forged: ignored
    proxy = parse("127.0.0.1")
    assert client_address("127.0.0.2", "127.0.0.1", proxy) == "127.0.0.2"
    # What a client wrote left of the proxy's own hop is its claim, not the proxy's.
    assert client_address("6.6.6.6, 198.51.100.9", "127.0.0.1", proxy) == "198.51.100.9"
    assert client_address("", "127.0.0.1", proxy) == "127.0.0.1"
    assert client_address("not-an-ip", "127.0.0.1", proxy) == "127.0.0.1"
    chain = parse("127.0.0.1,10.0.0.0/8")
    assert client_address("198.51.100.9, 10.1.2.3", "127.0.0.1", chain) == "198.51.100.9"
    # On a Space with no setting: the private networks its proxy comes from, never loopback.
    space = configured({"SPACE_ID": "me/app"})
    assert client_address("127.0.0.2", "127.0.0.1", space) == "127.0.0.1"
    assert client_address("198.51.100.9", "10.20.0.5", space) == "198.51.100.9"
    assert configured({}) == [] and configured({"SPACE_ID": "x",
                                                "STUDIO_TRUSTED_PROXIES": "none"}) == []


def anon_owner(key: str) -> str:
    return "anon:" + hashlib.sha256(key.encode()).hexdigest()[:24]


@pytest.fixture(scope="module")
def on_space(tmp_path_factory, app_server):
    """A hosted app that believes it is on a Space, reached directly (no Space proxy)."""
    app = app_server(tmp_path_factory.mktemp("space-ws"), "--hosted", "--host", "127.0.0.1",
                     env={"SPACE_ID": "someone/studio", "STUDIO_TRUSTED_PROXIES": ""})
    yield app


def cookieless_call(app: App, local_address: str, api: str, data: list, headers=None):
    transport = httpx.HTTPTransport(local_address=local_address)
    with httpx.Client(base_url=app.url, timeout=120, transport=transport,
                      headers=headers or {}) as http:
        return raw_call(http, api, data)


def test_forged_forwarded_for_cannot_act_as_a_cookieless_victim(on_space):
    from studio.config import JobConfig
    from studio.runs import Registry
    cfg = JobConfig(task="classification")
    cfg.model.name = "tiny-bert"
    # The victim: a script without cookies at 127.0.0.2, with a job waiting in line.
    victim = Registry(on_space.workspace).new_run(cfg, owner=anon_owner("addr:127.0.0.2"))
    kind, out = cookieless_call(on_space, "127.0.0.2", "list_runs", [[]])
    assert kind == "complete" and victim.id in run_ids(out[0])  # control: it is the victim's
    forged = {"X-Forwarded-For": "127.0.0.2"}
    kind, out = cookieless_call(on_space, "127.0.0.1", "list_runs", [[]], forged)
    assert kind == "complete" and victim.id not in run_ids(out[0])
    cookieless_call(on_space, "127.0.0.1", "stop", [victim.id], forged)
    assert Registry(on_space.workspace).get(victim.id).status == "queued"


# ---- 4. logins ---------------------------------------------------------------------------------

def test_a_success_clears_only_its_own_accounts_failures():
    from studio.auth import LoginGuard
    clock = Clock()
    guard = LoginGuard({"alice": "a-pw", "mallory": "m-pw"}, clock=clock)
    for _ in range(5):
        assert not guard.check("1.2.3.4", "alice", "guess")
    assert guard.check("1.2.3.4", "mallory", "m-pw")  # the guesser's own valid account
    assert guard.delay("1.2.3.4", "alice") >= 1.0      # ... does not reset alice's count
    assert guard.delay("1.2.3.4", "mallory") == 0.0
    clock.now += 61
    assert guard.delay("1.2.3.4", "alice") == 0.0      # a minute later the slate is clean


def test_concurrent_tries_each_take_a_later_slot():
    from studio.auth import LoginGuard
    clock = Clock()
    guard = LoginGuard({"alice": "a-pw"}, clock=clock, max_wait=120)
    for _ in range(5):
        assert guard.admit("1.2.3.4", "alice") == 0.0
        guard.check("1.2.3.4", "alice", "guess", admitted=True)
    waits = [guard.admit("1.2.3.4", "alice") for _ in range(12)]  # all at the same instant
    admitted = [w for w in waits if w is not None]
    assert admitted == sorted(set(admitted)) and admitted[0] >= 1.0  # one slot after another
    assert admitted[-1] <= 120 and waits[-1] is None  # a try too far in line is refused
    assert sum(1 for w in admitted if w <= 30) <= 4   # not 12 guesses behind one delay


def test_a_user_behind_the_same_address_and_distributed_guessing():
    from studio.auth import LoginGuard
    clock = Clock()
    guard = LoginGuard({"alice": "a-pw", "bob": "b-pw"}, clock=clock)
    for i in range(10):
        guard.check("1.2.3.4", "alice", f"guess{i}")
    assert guard.delay("1.2.3.4", "alice") > 0
    assert guard.delay("1.2.3.4", "bob") == 0.0        # bob, same office: at once
    assert guard.delay("5.6.7.8", "alice") == 0.0      # alice from her own address: at once
    for i in range(10):                                # spraying other accounts from there
        guard.check("1.2.3.4", f"user{i}", "guess")
    assert guard.delay("1.2.3.4", "bob") > 0           # past 20 failures the address waits
    for i in range(20):                                # carol guessed from 20 addresses
        guard.check(f"10.0.0.{i}", "carol", "guess")
    assert guard.delay("10.9.9.9", "carol") > 0 and guard.delay("10.9.9.9", "bob") == 0.0


@pytest.fixture(scope="module")
def logins(tmp_path_factory, app_server):
    folder = tmp_path_factory.mktemp("login2-ws")
    users = folder.parent / "users2.txt"
    users.write_text("alice:alice-pw\nbob:bob-pw\nmallory:mallory-pw\n")
    app = app_server(folder, "--hosted", "--auth-file", str(users))
    yield app


def test_login_limits_hold_against_a_running_app(logins):
    attacker = browser_http(logins, local_address="127.0.0.2")

    def attempt(http, user, password):
        t0 = time.monotonic()
        r = http.post("login", data={"username": user, "password": password})
        return r.status_code, time.monotonic() - t0, time.monotonic()

    for i in range(5):
        assert attempt(attacker, "alice", f"wrong-{i}")[0] == 400
    assert attempt(attacker, "mallory", "mallory-pw")[0] == 200  # the attacker's own account
    code, took, _ = attempt(attacker, "alice", "wrong-5")
    assert code == 400 and took >= 0.9  # still counted: mallory's success cleared nothing

    results = []
    guessers = [browser_http(logins, local_address="127.0.0.2") for _ in range(3)]
    colleague = browser_http(logins, local_address="127.0.0.2")
    guesses = [threading.Thread(target=lambda h=h, i=i: results.append(
        attempt(h, "alice", f"c-{i}"))) for i, h in enumerate(guessers)]
    for t in guesses:
        t.start()
    time.sleep(0.3)
    code, _, bob_done = attempt(colleague, "bob", "bob-pw")  # same address, another account
    for t in guesses:
        t.join()
    assert code == 200
    assert all(r[0] == 400 for r in results)
    waits = sorted(r[1] for r in results)
    # Three concurrent guesses after six failures wait 2, 2+4 and 2+4+8 s, not one 2 s each.
    assert waits[-1] >= 12 and waits[1] >= 5, waits
    assert bob_done < max(r[2] for r in results)  # bob was not held behind the guesses


# ---- 5. session state and the session hash --------------------------------------------------

def test_a_replayed_session_hash_opens_nothing_of_anothers(tmp_path, app_server):
    app = app_server(tmp_path / "ws", "--hosted")
    try:
        secret = tmp_path / "vault.csv"
        secret.write_bytes(SECRET_CSV)
        a = client(app)
        first = a.predict(handle_file(str(secret)), None, api_name="/on_file")
        assert "vault code" in str(first)
        params = a.view_api(return_format="dict", print_info=False)["named_endpoints"][
            "/on_change"]["parameters"]
        values = [p.get("parameter_default") for p in params]
        assert "vault code" in str(a.predict(*values, api_name="/on_change"))  # control
        b = client(app)
        b.session_hash = a.session_hash  # the hash is visible to page scripts and in URLs
        stolen = b.predict(*values, api_name="/on_change")
        assert "vault code" not in str(stolen) and "4711" not in str(stolen)
        # A's own session is intact.
        assert "vault code" in str(a.predict(*values, api_name="/on_change"))
    finally:
        app.close()


# ---- 3. fair queueing -------------------------------------------------------------------------

def test_queue_places_per_address_in_total_and_abandoned_jobs_dropped(tmp_path, monkeypatch):
    from studio.config import JobConfig
    from studio.launcher import JobQueue
    from studio.queue_rules import QueueBook, QueueRules
    from studio.runs import Registry
    from studio.errors import RunError
    monkeypatch.delenv("STUDIO_HOSTED", raising=False)
    registry = Registry(tmp_path)
    cfg = JobConfig(task="classification")
    cfg.model.name = "tiny-bert"
    cfg.data.train_file = str(SAMPLES / "reviews_sentiment.csv")
    # A run already training (this process) holds the one slot: everything else waits.
    holder = registry.new_run(cfg, owner="anon:holder", status="running")
    registry.update(holder.id, pid=os.getpid())
    clock = Clock()
    queue = JobQueue(registry, rules=QueueBook(QueueRules(max_queued=3, max_per_address=2,
                                                          owner_timeout=600), clock))
    a1 = queue.submit(cfg, owner="anon:1", address="6.6.6.6")
    queue.submit(cfg, owner="anon:2", address="6.6.6.6")
    with pytest.raises(RunError) as e:
        queue.submit(cfg, owner="anon:3", address="6.6.6.6")  # a fresh cookie, same address
    assert e.value.code == "address_job_limit"
    honest = queue.submit(cfg, owner="anon:honest", address="7.7.7.7")
    with pytest.raises(RunError) as e:
        queue.submit(cfg, owner="anon:late", address="8.8.8.8")
    assert e.value.code == "queue_full" and "queue is full" in str(e.value)
    assert queue.position(honest.id) == 3
    clock.now += 300
    queue.position(honest.id)  # the honest page polls; anon:1 and anon:2 went away
    clock.now += 400
    dropped = queue.drop_abandoned()
    assert a1.id in dropped and honest.id not in dropped and len(dropped) == 2
    run = registry.get(a1.id)
    assert run.status == "stopped" and "its owner left" in run.reason
    final = registry.folder(run).final_event()
    assert final["type"] == "stopped" and final["code"] == "queue_owner_left"
    assert queue.position(honest.id) == 1
    queue.submit(cfg, owner="anon:4", address="6.6.6.6")  # the address's places are free again


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory, app_server):
    """A hosted app behind a proxy at 127.0.0.1, with one job training (a run of this test
    process) so that every new job waits in line and nothing trains meanwhile."""
    import subprocess
    from studio.config import JobConfig
    from studio.runs import Registry
    ws = tmp_path_factory.mktemp("queue-ws")
    cfg = JobConfig(task="classification")
    cfg.model.name = "tiny-bert"
    registry = Registry(ws)
    sleeper = subprocess.Popen(["sleep", "600"], start_new_session=True)
    holder = registry.new_run(cfg, owner="anon:holder", status="running")
    registry.update(holder.id, pid=sleeper.pid)
    app = app_server(ws, "--hosted", "--trusted-proxy", "127.0.0.1", "--max-queued", "3",
                     "--max-queued-per-address", "2")
    yield app
    sleeper.kill()
    sleeper.wait()


def test_fresh_cookies_from_one_address_do_not_buy_queue_places(behind_proxy):
    attacker_addr = {"X-Forwarded-For": "203.0.113.7"}  # as the trusted proxy reports it

    def try_queue(headers):
        c = client(behind_proxy, headers=headers)  # a fresh cookie every time
        run_id, message = start_training(c)
        return (run_id if isinstance(run_id, str) else ""), message  # refused: no new id

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: try_queue(attacker_addr), range(12)))
    queued = [rid for rid, _ in answers if rid]
    refused = [m for rid, m in answers if not rid]
    assert len(queued) == 2, answers
    assert len(refused) == 10 and all("Your network address already has 2 jobs" in m
                                      for m in refused), refused
    run_id, message = try_queue({"X-Forwarded-For": "198.51.100.9"})  # an honest visitor
    assert run_id and "submitted" in message, message
    run_id, message = try_queue({"X-Forwarded-For": "192.0.2.50"})   # the line is full now
    assert not run_id and "The training queue is full" in message, message
