"""Live pushes at load (issue #11 point 4): ``python -m bench.live``."""
