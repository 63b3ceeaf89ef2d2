"""immiche's benchmarks: ``python -m bench [--quick] [--only NAME]`` (``make bench``).

One module per benchmark (``startup``, ``listing``, ``connections``, ``thumbnails``,
``streaming``); each returns a table of medians over several runs, with min, max, the ratio to a
baseline measured in the same run, and PASS/MISS against the budget of issue 7. See
``bench/RESULTS.md`` for the latest full run.
"""
