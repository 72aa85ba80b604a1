"""Send in the Try chat shows the user's message at once, before the model is loaded or has
answered a token (a busy CPU took over 30 s to the first token, and the box showed nothing)."""
from __future__ import annotations

from components import try_step
from studio.errors import RunError


class Cache:
    """Loading a run is recorded; this one is gone by then (a refusal, as one sentence)."""
    def __init__(self):
        self.loads = []

    def run(self, registry, run_id, owner=None):
        self.loads.append(run_id)
        raise RunError(f"No run '{run_id}'; see the run list.", "no_run", run=run_id)


def test_the_message_shows_before_the_model_is_asked():
    cache = Cache()
    steps = try_step.chat_stream(cache, None, "r1", "Hello?", [], [], "", 0.7, 0.9, 16, False,
                                 "en")
    first = next(steps)
    assert first["history"] == [{"role": "user", "content": "Hello?"}] and cache.loads == []
    assert first["chat_in"] == "" and first["message"] == ""
    last = list(steps)[-1]  # a refusal: the text comes back to the box, with the sentence
    assert last["history"] == [] and last["chat_in"] == "Hello?"
    assert "No run 'r1'" in last["message"] and cache.loads == ["r1"]
