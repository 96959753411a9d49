# One-command entry points for a fresh machine (Python 3.12 via .python-version; uv is installed if missing).
PY := .venv/bin/python

.PHONY: setup run test test-fast bench dashboard clean

.venv/.done: pyproject.toml
	python3 -m pip install --quiet --disable-pip-version-check uv || pip install --quiet uv
	python3 -m uv venv .venv --python 3.12 --allow-existing
	python3 -m uv pip install --python $(PY) -e ".[all]"
	touch .venv/.done

# compile the numba kernels once into their cache (simteam/__pycache__ or NUMBA_CACHE_DIR), so the first
# run does not (docs/performance.md, start-up); redone when a source file changed
.venv/.warm: .venv/.done $(wildcard simteam/*.py)
	$(PY) -m simteam.warmup
	touch .venv/.warm

setup: .venv/.warm

run: setup            ## set up, then run the default study (12 reps, 2 years, recession)
	.venv/bin/simteam

test: setup           ## set up, then run the whole test suite (fast + slow + browser), on 2 workers
	$(PY) -m pytest -q -n 2 -m "slow or not slow"

test-fast: setup      ## the fast suite only (what plain `pytest` runs)
	$(PY) -m pytest -q -n 2

bench: setup
	$(PY) benchmarks/run.py

dashboard: setup
	.venv/bin/simteam-dashboard

clean:
	rm -rf .venv
