"""Design-space sweeps, Monte Carlo uncertainty and their execution (pool or Ray).

`space` reads the varied inputs and draws variants; `engine` compiles one
variant in process from a design read and parsed once; `run` executes
batches on a process pool or a Ray cluster, resumably; `pareto` picks the
front; `table` writes CSV and Parquet; `command` is `aifc sweep`.
"""

# `aifc report --uncertainty N` takes at most this many samples (docs/limits.md): here,
# not in `uncertainty`, so the command line reads it without importing the engine.
MAX_SAMPLES = 100_000
