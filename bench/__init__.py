"""Benchmarks of the DMN Portal: run `bin/bench`; see bench/README.md."""
