"""The benchmark suite run by `make bench` (`python -m bench`); see bench.__main__."""
