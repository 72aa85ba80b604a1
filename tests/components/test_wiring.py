"""Handlers return {name: value}; `wire` hands Gradio {component: value}, and Gradio leaves
every output the handler did not name unchanged (checked through Blocks.process_api, the call
the server makes for each event)."""
from __future__ import annotations

import asyncio

import gradio as gr
import pytest
from gradio.state_holder import SessionState

from components.common import named, wire


def call(demo, index, *inputs, request=None):
    fn = list(demo.fns.values())[index]
    return asyncio.run(demo.process_api(block_fn=fn, inputs=list(inputs),
                                        state=SessionState(demo), request=request))


def test_named_maps_names_and_refuses_unknown_ones():
    with gr.Blocks():
        a, b = gr.Textbox(), gr.Textbox()
    assert named({"a": 1}, {"a": a, "b": b}) == {a: 1}
    assert named({}, {"a": a}) == gr.skip()
    with pytest.raises(KeyError, match="typo"):
        named({"typo": 1}, {"a": a})


def test_outputs_left_out_keep_their_value():
    with gr.Blocks() as demo:
        first, second, number = gr.Textbox("a"), gr.Textbox("b"), gr.Number(1)
        button = gr.Button()
        wire(button.click, lambda x: {"second": f"got {x}"}, number,
             {"first": first, "second": second})
        wire(button.click, lambda x: {}, number, {"first": first, "second": second})
    assert call(demo, 0, 5)["data"] == [{"__type__": "update"}, "got 5"]
    assert call(demo, 1, 5)["data"] == [{"__type__": "update"}, {"__type__": "update"}]


def test_request_parameter_and_generators_survive_the_wrapper():
    with gr.Blocks() as demo:
        first, second, number = gr.Textbox(), gr.Textbox(), gr.Number(1)
        button = gr.Button()

        def language(x, request: gr.Request):
            return {"first": request.headers.get("accept-language")}

        def stream(x):
            yield {"first": "1"}
            yield {"second": "done"}

        wire(button.click, language, number, {"first": first, "second": second})
        wire(button.click, stream, number, {"first": first, "second": second})
    request = gr.Request(headers={"accept-language": "zh-CN"})
    assert call(demo, 0, 1, request=request)["data"][0] == "zh-CN"

    async def drain():
        state, iterator, seen = SessionState(demo), None, []
        fn = list(demo.fns.values())[1]
        while True:
            out = await demo.process_api(block_fn=fn, inputs=[1], state=state,
                                         iterator=iterator)
            iterator = out["iterator"]
            seen.append(out["data"])
            if not out["is_generating"]:
                return seen
    seen = asyncio.run(drain())
    assert seen[0] == ["1", {"__type__": "update"}]
    assert seen[1] == [{"__type__": "update"}, "done"]


def test_the_whole_page_builds_with_named_outputs(tmp_path):
    from components.ui import build_ui
    from studio.inference import ModelCache
    from studio.launcher import JobQueue
    from studio.runs import Registry
    registry = Registry(tmp_path)
    demo = build_ui(registry, JobQueue(registry), ModelCache(1))
    ids = {getattr(b, "elem_id", None) for b in demo.blocks.values()}
    assert {"train-estimate", "train-start", "f-train-dropout", "try-run"} <= ids
