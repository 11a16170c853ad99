"""Design-space sweeps, Monte Carlo uncertainty and their execution (pool or Ray).

`space` reads the varied inputs and draws variants; `engine` compiles one
variant in process from a design read and parsed once; `run` executes
batches on a process pool or a Ray cluster, resumably; `pareto` picks the
front; `table` writes CSV and Parquet; `command` is `aifc sweep`.
"""
