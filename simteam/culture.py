"""Culture: spread of toxic behaviour (SIS), the leader acting on it, and cohesion (submodel C).

* SIS spread    P(infect_i) = 1 - exp(-beta (1 - d g) (0.5 + tol) sum_j A_ij x_j)
* recovery      P(reform_i) = 1 - exp(-(delta + r_reform (1 - tol)))
* removal       P(remove_i) = 1 - exp(-r_remove (1 - tol))   (the rep is dismissed)
* cohesion      kappa <- kappa + r_k (kappa_0 + c_cel R share_won - kappa)

With only ``spread_rate`` (beta) and ``recovery_rate`` (delta) active, behaviour spread
is the discrete-time SIS model whose outbreak dies out when beta/delta < 1/lambda_max(A)
(Wang et al. 2003; Pastor-Satorras & Vespignani 2001).
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .streams import rowvec

__all__ = ["step"]


def step(e, t: int) -> None:
    s, C, L, sw = e.s, e.p.culture, e.p.leadership, e.sw
    st = e.structure
    act = s.active
    tox = s.toxic & act
    tol = L.toxic_tolerance
    B = e.B
    # draws only where they can matter (a pure function of their coordinates, so this changes nothing):
    # infection where a susceptible rep has toxic peers, recovery and removal where a rep is toxic
    infect = None
    if sw.toxic_spread and tox.any():
        beta = rowvec(C.spread_rate * (1.0 - L.communication_damping * L.communication) * (0.5 + tol), B)
        pressure = np.empty((B, e.N))
        kernels.toxic_pressure(st.members_ptr, st.members, st.team_of_i, st.complete, st.adj_ptr, st.adj_idx,
                               st.adj_val, act, s.toxic, e.scratch("culture_teams", (2, st.n_teams))[0], pressure)
        rows, cols = np.nonzero(act & ~s.toxic & (pressure > 0))
        hit = e.rng.at("toxic_infect", t, rows, cols) < -np.expm1(-beta[rows] * pressure[rows, cols])
        infect = (rows[hit], cols[hit])
    if tox.any():
        rec_h = (C.recovery_rate if sw.toxic_spread else 0.0) + (L.toxic_reform_rate * (1.0 - tol)
                                                                  if sw.toxic_action else 0.0)
        rows, cols = np.nonzero(tox)
        p_rec = -np.expm1(-rowvec(rec_h, B))
        recover = e.rng.at("toxic_recover", t, rows, cols) < p_rec[rows]
        if sw.toxic_action:
            p_rem = -np.expm1(-rowvec(L.toxic_removal_rate * (1.0 - tol), B))
            remove = ~recover & (e.rng.at("toxic_remove", t, rows, cols) < p_rem[rows])
            s.leaving[rows[remove], cols[remove]] = True
        s.toxic[rows[recover], cols[recover]] = False
    if infect is not None:
        s.toxic[infect] = True
    if sw.cohesion:
        celebrate = C.celebration_cohesion * L.recognition if sw.recognition else 0.0
        kernels.cohesion_step(st.members_ptr, st.members, st.team_of_i, act, s.wins_week,
                              rowvec(C.cohesion_base, e.B), rowvec(celebrate, e.B), rowvec(C.cohesion_rate, e.B),
                              s.cohesion, e.scratch("culture_teams", (2, st.n_teams)))
