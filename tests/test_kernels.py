"""The compiled kernels: special functions, random numbers and one compiled version per kernel."""

import numpy as np
import pytest
from scipy.special import ndtr as scipy_ndtr
from scipy.special import ndtri as scipy_ndtri

import simteam
from simteam import kernels
from simteam.streams import Streams, poisson_inverse


@pytest.fixture(scope="module")
def apply():
    import numba

    @numba.njit
    def _apply(x, which):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = kernels.ndtri(x[i]) if which == 0 else kernels.ndtr(x[i])
        return out

    @numba.njit
    def _poisson(u, lam):
        out = np.empty_like(u)
        for i in range(u.size):
            out[i] = kernels.poisson_inverse(u[i], lam[i])
        return out

    return _apply, _poisson


def test_ndtri_is_scipys_bit_for_bit(apply):
    rng = np.random.default_rng(1)
    # 53-bit grid points as the streams produce them, plus both tails and the branch edges
    u = (np.floor(rng.random(2_000_000) * 2.0**53) + 0.5) * 2.0**-53
    edges = [2.0**-53 * 0.5, 1e-300, 1e-20, 0.13533528323661269189, 1 - 0.13533528323661269189, 0.5,
             1 - 2.0**-53, np.exp(-32.0), 1e-5, 0.99999]
    u = np.concatenate([u, edges])
    got = apply[0](u, 0)
    assert np.array_equal(got, scipy_ndtri(u))
    assert apply[0](np.array([0.0, 1.0]), 0).tolist() == [-np.inf, np.inf]
    assert np.isnan(apply[0](np.array([-0.1, 1.5]), 0)).all()


def test_normal_fast_is_within_acklams_bound():
    import numba

    @numba.njit
    def _fast(u):
        out = np.empty_like(u)
        for i in range(u.size):
            out[i] = kernels.normal_fast(u[i])
        return out

    rng = np.random.default_rng(3)
    u = (np.floor(rng.random(2_000_000) * 2.0**53) + 0.5) * 2.0**-53
    edges = [2.0**-53 * 0.5, 1e-300, 1e-20, 0.02425, 0.02425 * (1 - 1e-16), 1 - 0.02425, 0.5, 1 - 2.0**-53]
    u = np.concatenate([u, edges])
    ref = scipy_ndtri(u)
    rel = np.abs(_fast(u) - ref) / np.abs(ref)
    assert np.nanmax(rel) < 1.2e-9  # Acklam's published bound (2003)


def test_ndtr_matches_scipy(apply):
    x = np.concatenate([np.random.default_rng(2).normal(0, 4, 500_000), np.linspace(-40, 40, 10_001),
                        [0.0, 1.4142135623730951, -1.4142135623730951, 11.3137, -38.0, 38.0]])
    np.testing.assert_allclose(apply[0](x, 1), scipy_ndtr(x), rtol=1e-15, atol=1e-300)


def test_poisson_kernel_is_the_streams_inversion(apply):
    rng = np.random.default_rng(3)
    u = rng.random(200_000)
    lam = np.concatenate([rng.exponential(2.0, 150_000), rng.uniform(55, 200, 50_000)])
    assert np.array_equal(apply[1](u, lam), poisson_inverse(u, lam))


def test_draws_at_positions_equal_the_block_draws():
    st = Streams(np.array([3, 17, 99]))
    rows = np.array([0, 2, 2, 1])
    cols = np.array([5, 0, 11, 7])
    block_u = st.uniform("hire_toxic", 12, (12,))
    block_n = st.normal("hire_potential", 12, (12,))
    assert np.array_equal(st.at("hire_toxic", 12, rows, cols), block_u[rows, cols])
    assert np.array_equal(st.at("hire_potential", 12, rows, cols, normal=True), block_n[rows, cols])


def test_each_kernel_is_compiled_once_across_configurations():
    """Per-row parameters, batch sizes and graphs all reach the kernels with one set of types
    (a second compiled version would cost seconds in every new process)."""
    cfgs = [simteam.configure(weeks=30),
            simteam.configure(weeks=30, team__graph="complete", team__n_teams=3, team__team_size=5,
                              team__initial_toxic=1, market="recession", crisis="pivot"),
            simteam.configure(weeks=30, change={"initiatives": [{"name": "crm", "kind": "tool", "start_week": 3}]})]
    for cfg in cfgs:
        simteam.run(cfg, replications=2, seed=1)
        simteam.run(cfg, replications=1, seed=1)
    simteam.run_points(simteam.configure(weeks=30), {"leadership.coaching": [0.2, 0.8]}, replications=2)
    for name in ("selling_step", "people_step", "quit_draws", "tenure_and_ramp", "record_week", "cohesion_step",
                 "toxic_step"):
        assert len(getattr(kernels, name).signatures) == 1, name
