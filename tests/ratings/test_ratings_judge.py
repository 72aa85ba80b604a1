"""The optional judge behind an OpenAI-compatible endpoint (a small local server here): asked
in both orders, a first-position bias becomes a tie, and its agreement with people's votes
is counted and shown by `python -m studio ratings --judge`."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import run_cli
from studio.ratings import Rating, RatingStore
from studio.ratings.judge import judge, judge_rating
from studio.ratings.store import RatingError


def serve(decide):
    """A /v1/chat/completions server whose reply is decide(answer_a, answer_b)."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            text = body["messages"][-1]["content"]
            a, b = re.search(r"Answer A:\n(.*)\n\nAnswer B:\n(.*)", text, re.S).groups()
            reply = json.dumps({"choices": [{"message": {"role": "assistant",
                                                         "content": decide(a, b)}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1"


def fair(a, b):
    return "A" if "good" in a and "good" not in b else "B." if "good" in b and "good" \
        not in a else "Both bad"


RATINGS = [Rating("p1", "r1", "r2", "good one", "bad one", "a"),
           Rating("p2", "r1", "r2", "bad", "good", "b"),
           Rating("p3", "r1", "r2", "good", "bad", "b"),       # the judge disagrees here
           Rating("p4", "r1", "r2", "meh", "meh", "both_bad")]


@pytest.fixture
def endpoint():
    server, url = serve(fair)
    yield url
    server.shutdown()


def test_the_judge_votes_on_the_stored_sides_and_agreement_is_counted(endpoint):
    report = judge(endpoint, "any", RATINGS)
    assert report.votes == ["a", "b", "a", "both_bad"]
    assert report.agree == 3 and report.agreement.n == 4
    assert report.agreement.value == 0.75 and report.agreement.low < 0.75 < report.agreement.high


def test_a_judge_that_always_picks_the_first_answer_gets_ties():
    server, url = serve(lambda a, b: "A")
    try:
        assert judge_rating(url, "any", RATINGS[0]) == "tie"
    finally:
        server.shutdown()


def test_a_judge_that_is_not_there_is_one_sentence():
    with pytest.raises(RatingError) as e:
        judge_rating("http://127.0.0.1:9/v1", "llama3.2", RATINGS[0])
    assert e.value.code == "rating_judge_failed" and "did not answer" in str(e.value)


@pytest.mark.heavy
def test_cli_shows_the_judges_agreement(endpoint, tmp_path):
    store = RatingStore(tmp_path)
    for r in RATINGS:
        store.add(r)
    done = run_cli("ratings", "--workspace", str(tmp_path), "--judge", endpoint,
                   "--judge-model", "fair")
    assert done.returncode == 0, done.stderr
    assert "judge fair: agrees with 3 of 4 votes (75.0%" in done.stdout
    assert "judge: r1 wins 66.7% of decisive votes against r2" in done.stdout
    doc = json.loads(run_cli("ratings", "--workspace", str(tmp_path), "--json", "--judge",
                             endpoint, "--judge-model", "fair").stdout)
    assert doc["judge"]["votes"] == ["a", "b", "a", "both_bad"]
    missing = run_cli("ratings", "--workspace", str(tmp_path), "--judge", endpoint)
    assert missing.returncode == 2 and "--judge-model" in missing.stderr
