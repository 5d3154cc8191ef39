"""Benchmarks: `make bench` (or `python -m benchmarks [name ...]`).

Each benchmark writes one JSON file to benchmarks/results/ and reports every speed
figure also as a ratio against a baseline measured in the same run, so results from
different machines compare by ratio, not by milliseconds.
"""
