"""An engine block's `full_graphs`: decode steps replayed as one CUDA graph, end to end."""

from __future__ import annotations

from aiflang.driver import compile_source

DESIGN = """
engine vllm_whole extends vllm {{
  full_graphs = decode
}}

factory "graphs" {{
  site {{ pue = 1.25 }}

  hall A {{
    it_power   = 50 kW
    ups        = 3 x 25 kW
    redundancy = N+1
    cooling    = {{ air = 50 kW }}
    positions  = 4
    racks      = 1 x DGX_H100_rack
  }}

  serve "l70" {{
    model     = Llama2_70B
    precision = fp8
    engine    = {engine}
    user_rate = 20 tokens/s
  }}
}}
"""


def _serve(engine: str) -> object:
    compilation = compile_source(DESIGN.format(engine=engine))
    errors = [d.message for d in compilation.sink.diagnostics if d.is_error]
    assert errors == []
    (serve,) = compilation.facts[0].serve
    return serve


def test_whole_graph_decode_steps_serve_more_at_the_same_per_user_rate() -> None:
    piecewise, whole = _serve("vllm"), _serve("vllm_whole")
    # the same replicas and batch limits; vLLM's 199 us a layer and its eager launches are
    # paid only in the steps that carry prompt tokens, so at 20 tokens/s a user the
    # whole-graph engine holds a larger batch
    assert whole.tokens_per_s > piecewise.tokens_per_s  # type: ignore[attr-defined]
    assert whole.batch > piecewise.batch  # type: ignore[attr-defined]
