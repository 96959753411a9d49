"""Compiled kernels for the weekly hot path (numba).

The weekly step of a batch is, per phase, one pass over the seats of each batch row that
keeps a seat's variables in registers and draws its random numbers inline, instead of a
chain of whole-array numpy operations each of which writes a temporary array. Every
kernel performs the same floating-point operations in the same order as the equations in
docs/model.md were first written in numpy, so results did not change when the kernels
replaced that code (the exact regression check is in docs/performance.md).

Rules every kernel keeps:

* **Per-row independence.** A batch row reads only its own state and its own parameter
  values (all per-row parameters arrive as ``(B,)`` arrays), so a batch of R rows equals
  R single runs bit for bit.
* **Fixed summation order.** Team and segment sums add members in seat order, starting
  from the first member; the order does not depend on the batch size or the machine.
* **Counter-based random numbers.** A draw is ``f(row key, week, position)`` (see
  :mod:`simteam.streams`), computed where it is used; skipping a draw changes nothing.
* **The same special functions.** ``ndtri`` is the Cephes algorithm scipy uses (same
  coefficients and operation order: equal to ``scipy.special.ndtri`` bit for bit, tested);
  so is ``ndtr`` (through Cephes ``erf`` / ``erfc``); ``exp``,
  ``log``, ``log1p`` and ``expm1`` are the C library's.
"""

from __future__ import annotations

import functools
import math

import numba as nb
import numpy as np

__all__ = ["mix64", "unit", "ndtri", "ndtr", "draw", "selling_step"]

# Compiled code is cached next to this file (__pycache__), so a new process starts in well under a
# second. ``error_model="numpy"``: a division by zero gives inf/nan as in numpy instead of a Python
# exception check on every division (every divisor here is guarded, as it was in the numpy code).
_jit = functools.partial(nb.njit, cache=True, error_model="numpy")
_inline = functools.partial(nb.njit, inline="always", cache=True, error_model="numpy")

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
WEEK_STRIDE = np.uint64(0x100000000)  # 2**32 numbers per week per decision



# ------------------------------------------------------------------------------------------------
# random numbers
# ------------------------------------------------------------------------------------------------
@_inline
def mix64(z):
    """SplitMix64 finaliser of one uint64."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@_inline
def unit(key, base, j):
    """The uniform number in (0, 1) at position ``j`` of a decision's stream in one week.

    ``key`` is the row's key for the decision, ``base = week * 2**32``.
    """
    c = mix64((np.uint64(j) + base) * _GAMMA)
    z = mix64(key ^ c)
    return (np.float64(z >> _S11) + 0.5) * _TO_UNIT


# Cephes ndtri (inverse of the standard normal CDF) and ndtr, as in scipy.special
_EXPM2 = 0.13533528323661269189  # exp(-2)
_S2PI = 2.50662827463100050242E0


# The Cephes polynomials written out (Horner's rule: the same operations as polevl / p1evl, with
# the coefficients as constants, which the compiler schedules better than a loop over an array).
@_inline
def _p0(x):  # ndtri, central: numerator
    return ((((-59.96335010141079 * x + 98.00107541859997) * x + -56.67628574690703) * x + 13.931260938727968) * x + -1.2391658386738125)


@_inline
def _q0(x):  # ndtri, central: denominator
    return ((((((((x + 1.9544885833814176) * x + 4.676279128988815) * x + 86.36024213908905) * x + -225.46268785411937) * x + 200.26021238006066) * x + -82.03722561683334) * x + 15.90562251262117) * x + -1.1833162112133)


@_inline
def _p1(x):  # ndtri, tail x < 8: numerator
    return ((((((((4.0554489230596245 * x + 31.525109459989388) * x + 57.16281922464213) * x + 44.08050738932008) * x + 14.684956192885803) * x + 2.1866330685079025) * x + -0.1402560791713545) * x + -0.03504246268278482) * x + -0.0008574567851546854)


@_inline
def _q1(x):  # ndtri, tail x < 8: denominator
    return ((((((((x + 15.779988325646675) * x + 45.39076351288792) * x + 41.3172038254672) * x + 15.04253856929075) * x + 2.504649462083094) * x + -0.14218292285478779) * x + -0.03808064076915783) * x + -0.0009332594808954574)


@_inline
def _p2(x):  # ndtri, far tail: numerator
    return ((((((((3.2377489177694603 * x + 6.915228890689842) * x + 3.9388102529247444) * x + 1.3330346081580755) * x + 0.20148538954917908) * x + 0.012371663481782003) * x + 0.00030158155350823543) * x + 2.6580697468673755e-06) * x + 6.239745391849833e-09)


@_inline
def _q2(x):  # ndtri, far tail: denominator
    return ((((((((x + 6.02427039364742) * x + 3.6798356385616087) * x + 1.3770209948908132) * x + 0.21623699359449663) * x + 0.013420400608854318) * x + 0.00032801446468212774) * x + 2.8924786474538068e-06) * x + 6.790194080099813e-09)


@_inline
def _np(x):  # erfc, 1 <= x < 8: numerator
    return ((((((((2.461969814735305e-10 * x + 0.5641895648310689) * x + 7.463210564422699) * x + 48.63719709856814) * x + 196.5208329560771) * x + 526.4451949954773) * x + 934.5285271719576) * x + 1027.5518868951572) * x + 557.5353353693994)


@_inline
def _nq(x):  # erfc, 1 <= x < 8: denominator
    return ((((((((x + 13.228195115474499) * x + 86.70721408859897) * x + 354.9377788878199) * x + 975.7085017432055) * x + 1823.9091668790973) * x + 2246.3376081871097) * x + 1656.6630919416134) * x + 557.5353408177277)


@_inline
def _nr(x):  # erfc, x >= 8: numerator
    return (((((0.5641895835477551 * x + 1.275366707599781) * x + 5.019050422511805) * x + 6.160210979930536) * x + 7.4097426995044895) * x + 2.9788666537210022)


@_inline
def _ns(x):  # erfc, x >= 8: denominator
    return ((((((x + 2.2605286322011726) * x + 9.396035249380015) * x + 12.048953980809666) * x + 17.08144507475659) * x + 9.608968090632859) * x + 3.369076451000815)


@_inline
def _nt(x):  # erf, |x| < 1: numerator
    return ((((9.604973739870516 * x + 90.02601972038427) * x + 2232.005345946843) * x + 7003.325141128051) * x + 55592.30130103949)


@_inline
def _nu(x):  # erf, |x| < 1: denominator
    return (((((x + 33.56171416475031) * x + 521.3579497801527) * x + 4594.323829709801) * x + 22629.000061389095) * x + 49267.39426086359)


@_jit
def ndtri(y0):
    """Inverse standard normal CDF (Cephes, as scipy.special.ndtri)."""
    if y0 <= 0.0 or y0 >= 1.0:
        if y0 == 0.0:
            return -np.inf
        if y0 == 1.0:
            return np.inf
        return np.nan
    negate = True
    y = y0
    if y > 1.0 - _EXPM2:
        y = 1.0 - y
        negate = False
    if y > _EXPM2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _p0(y2) / _q0(y2))
        return x * _S2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _p1(z) / _q1(z)
    else:
        x1 = z * _p2(z) / _q2(z)
    x = x0 - x1
    return -x if negate else x


_MAXLOG = 7.09782712893383996843E2
_SQRT1_2 = 0.70710678118654752440


@_jit
def _erfc_pos(a):
    """erfc(a) for a >= 1 (the only branch ndtr needs)."""
    z = -a * a
    if z < -_MAXLOG:
        return 0.0
    z = math.exp(z)
    if a < 8.0:
        p = _np(a)
        q = _nq(a)
    else:
        p = _nr(a)
        q = _ns(a)
    return (z * p) / q


@_jit
def _erf_small(x):
    """erf(x) for |x| < 1."""
    if x < 0.0:
        return -_erf_small(-x)
    z = x * x
    return x * _nt(z) / _nu(z)


@_jit
def ndtr(a):
    """Standard normal CDF (Cephes, as scipy.special.ndtr)."""
    if math.isnan(a):
        return a
    x = a * _SQRT1_2
    z = abs(x)
    if z < 1.0:
        return 0.5 + 0.5 * _erf_small(x)
    y = 0.5 * _erfc_pos(z)
    return 1.0 - y if x > 0 else y


@_jit
def draw(keys, base, n, normal, mask, use_mask, fill, out):
    """Fill ``out`` (B, n) with uniform (``normal=False``) or standard normal numbers.

    With ``use_mask``, ``mask`` (B, n) selects the positions to compute; the others get ``fill``.
    """
    B = keys.shape[0]
    for b in range(B):
        k = keys[b]
        for j in range(n):
            if not use_mask or mask[b, j]:
                u = unit(k, base, j)
                out[b, j] = ndtri(u) if normal else u
            else:
                out[b, j] = fill


@_inline
def poisson_inverse(u, lam):
    """Poisson quantile at ``u`` (inversion; normal approximation above 60), as streams.poisson_inverse."""
    if lam > 60.0:
        approx = math.floor(lam + math.sqrt(lam) * ndtri(u) + 0.5)
        return max(approx, 0.0)
    p = math.exp(-lam)
    cdf = p
    k = 0.0
    i = 0
    todo = u > cdf
    while todo and i < 200:
        i += 1
        p *= lam / i
        cdf += p
        k += 1.0
        todo = (u > cdf) and (p > 1e-300)
    return k


@_inline
def selection_gain(f, shift):
    """E[value | in the top f of a ranking] / E[value] for log-normal values, ``shift = rho sigma``:
    Phi(shift - Phi^-1(1 - f)) / f, exactly 1 where nothing can be ranked (f = 1 or shift = 0)."""
    fc = min(max(f, 1e-9), 1.0)
    if fc >= 1.0 or shift == 0.0:
        return 1.0
    return ndtr(shift - ndtri(1.0 - fc)) / fc


@_jit
def selection_gains(f, shift, out):
    """:func:`selection_gain` over arrays (``shift`` broadcast by the caller)."""
    for i in range(f.size):
        out.flat[i] = selection_gain(f.flat[i], shift.flat[i])


# ------------------------------------------------------------------------------------------------
# selling (submodel S; simteam/selling.py holds the equations and the Python side)
# ------------------------------------------------------------------------------------------------
@_jit
def selling_step(t_ptr, t_idx, team_size,
                 active, effort, productivity, skill, morale, change_factor, use_change,
                 log_strength, pipeline, pipeline_value,
                 dip, capacity, ec, noise_sd, beta, use_noise, value_sd, rho, use_gain,
                 skill_logit, strength_logit, morale_logit, effort_logit, pivot, use_pivot, mix,
                 lead, D, win_logit, win_shift, hazard, size, cv2,
                 key_estimate, key_wins, key_value, base,
                 out_taken, wins_out, rev_out, revenue_year, seat_revenue_year,
                 revenue_total):
    """One week of selling for every row and team (see simteam.selling.Selling.step).

    Teams are given as CSR member lists (``t_ptr``, ``t_idx``: the seats of team ``t`` in
    seat order). Writes the opportunities taken, wins and revenue, and updates the
    pipeline and the revenue accumulators in place.
    """
    B = active.shape[0]
    S = lead.shape[0]
    T = t_ptr.shape[0] - 1
    maxm = 0
    for t in range(T):
        maxm = max(maxm, t_ptr[t + 1] - t_ptr[t])
    w = np.empty((maxm, S))
    tw = np.empty(S)
    per = np.empty(S)
    off = np.empty(S)
    for b in range(B):
        kb_est = key_estimate[b]
        kb_win = key_wins[b]
        kb_val = key_value[b]
        for t in range(T):
            m0 = t_ptr[t]
            m1 = t_ptr[t + 1]
            # allocation weights and their team sums (seat order)
            for m in range(m0, m1):
                i = t_idx[m]
                a = 1.0 if active[b, i] else 0.0
                for s in range(S):
                    sc = log_strength[b, i, s]
                    if use_noise:
                        sc = sc + noise_sd[b] * ndtri(unit(kb_est, base, i * S + s))
                    wv = math.exp(beta[b] * sc) * a
                    w[m - m0, s] = wv
                    if m == m0:
                        tw[s] = wv
                    else:
                        tw[s] += wv
            seats = team_size[t]
            for s in range(S):
                per[s] = lead[s] * D[b, s] * seats / max(tw[s], 1e-300) if tw[s] > 0 else 0.0
            for m in range(m0, m1):
                i = t_idx[m]
                a = 1.0 if active[b, i] else 0.0
                prod = productivity[b, i] * (1.0 - dip[b])
                cap = capacity[b] * (1.0 - 0.5 * ec[b] + ec[b] * effort[b, i]) * prod * a
                o_total = 0.0
                for s in range(S):
                    off[s] = w[m - m0, s] * per[s]
                    o_total = off[s] if s == 0 else o_total + off[s]
                if use_pivot:
                    slack = max(cap - o_total, 0.0)
                    ps = pivot[b] * slack
                    extra_sum = 0.0
                    for s in range(S):
                        ex = ps * mix[b, s]
                        off[s] = off[s] + ex
                        extra_sum = ex if s == 0 else extra_sum + ex
                    o_total = o_total + extra_sum
                x = min(o_total, cap)
                f = x / max(o_total, 1e-300) if o_total > 0 else 1.0
                Q = selection_gain(f, rho[b] * value_sd[b]) if use_gain else 1.0
                # win probability at close, expected wins and value, then the pipeline moves on
                cf = math.log(max(change_factor[b, i], 1e-6)) if use_change else 0.0
                lam = 0.0
                exp_value = 0.0
                for s in range(S):
                    lg = (win_logit[s] + win_shift[b] + skill_logit[b] * (skill[b, i] - 0.5)
                          + strength_logit[b] * log_strength[b, i, s] + morale_logit[b] * (morale[b, i] - 0.5)
                          + effort_logit[b] * (effort[b, i] - 0.5))
                    if use_change:
                        lg = lg + cf
                    pw = 1.0 / (1.0 + math.exp(-lg))
                    h = hazard[s]
                    c_s = pipeline[b, i, s] * h * pw
                    v_s = pipeline_value[b, i, s] * h * pw
                    lam = c_s if s == 0 else lam + c_s
                    exp_value = v_s if s == 0 else exp_value + v_s
                    share = off[s] / max(o_total, 1e-300) if o_total > 0 else 0.0
                    x_s = x * share
                    pipeline[b, i, s] = pipeline[b, i, s] * (1.0 - h) + x_s
                    pipeline_value[b, i, s] = pipeline_value[b, i, s] * (1.0 - h) + x_s * size[s] * Q
                lam = lam * a
                wins = poisson_inverse(unit(kb_win, base, i), lam)
                rev = 0.0  # no deal, no value: the value draw is skipped (it would be multiplied by 0)
                if wins > 0:
                    mean_value = exp_value / max(lam, 1e-300) if lam > 0 else 0.0
                    s2 = math.log1p(cv2 / max(wins, 1.0))
                    z = ndtri(unit(kb_val, base, i))
                    rev = wins * mean_value * math.exp(math.sqrt(s2) * z - 0.5 * s2)
                out_taken[b, i] = x
                wins_out[b, i] = wins
                rev_out[b, i] = rev
                revenue_year[b, i] += rev
                seat_revenue_year[b, i] += rev
                revenue_total[b, i] += rev


# ------------------------------------------------------------------------------------------------
# graph sums
# ------------------------------------------------------------------------------------------------
@_inline
def _walk_active_toxic(i, b, active, toxic, a_ptr, a_idx, a_val):
    """Seat i's filled peers and toxic filled peers, summed in CSR order (vacant seats add exactly 0)."""
    sa = 0.0
    sx = 0.0
    for jj in range(a_ptr[i], a_ptr[i + 1]):
        j = a_idx[jj]
        if active[b, j]:
            sa += a_val[jj] * 1.0
            sx += a_val[jj] * (1.0 if toxic[b, j] else 0.0)
    return sa, sx


@_inline
def _walk_morale_skill(i, b, active, morale, skill, a_ptr, a_idx, a_val):
    """Sums of the filled peers' morale and skill in CSR order (vacant seats add exactly 0)."""
    sm = 0.0
    ss = 0.0
    for jj in range(a_ptr[i], a_ptr[i + 1]):
        j = a_idx[jj]
        if active[b, j]:
            sm += a_val[jj] * (morale[b, j] * 1.0)
            ss += a_val[jj] * (skill[b, j] * 1.0)
    return sm, ss


# ------------------------------------------------------------------------------------------------
# people (submodels P2-P5; simteam/people.py holds the equations and the Python side)
# ------------------------------------------------------------------------------------------------
#: Per-row parameters of people_step, in the order of the columns of its ``rp`` argument.
PEOPLE_PARAMS = ("damp", "recognition", "recognition_morale", "recognition_top",
                 "stress_head", "toxic_stress", "stress_relief", "quota_stress", "stress_rate",
                 "morale_base", "success_weight", "inspiration_term", "feedback_term", "coaching_term",
                 "stress_weight", "toxic_morale", "resistance_morale", "morale_mod", "morale_rate", "mood_sd",
                 "contagion", "trust_head", "toxic_trust", "tolerated_trust", "trust_mod", "trust_rate",
                 "practice", "capacity0", "feedback_skill", "coach_skill", "peer", "strength_growth",
                 "quota_now", "attainment_window")


@_jit
def people_step(t_ptr, t_idx, team_of, complete, a_ptr, a_idx, a_val, rp, flags, log3,
                active, toxic, wins_week, pace, tanh_pace, stress, morale, trust, skill, potential, cohesion,
                resistance, ramp, revenue_week, taken, log_strength, quota_year, weeks_year,
                key_mood, base, scratch, team_scratch):
    """Recognition, stress, morale (drivers, mood, DeGroot contagion), trust, skill, pace for every row.

    ``flags``: toxicity, recognition, stress, morale drivers, mood noise, contagion, cohesion,
    trust dynamics, skill growth, peer learning, worked capacity known, strengths coaching.
    ``tanh_pace`` is ``tanh(pace - 1)`` (numpy's tanh, computed by the caller). ``scratch`` (3, N)
    and ``team_scratch`` (5, T) are work arrays kept by the engine between weeks, reused row by row.
    """
    (f_tox, f_rec, f_stress, f_drivers, f_mood, f_contagion, f_cohesion, f_trust, f_skill, f_peer,
     f_worked, f_strength) = (flags[0], flags[1], flags[2], flags[3], flags[4], flags[5], flags[6], flags[7],
                              flags[8], flags[9], flags[10], flags[11])
    B, N = active.shape
    S = log_strength.shape[2]
    nbr_act, m_new, sk_new = scratch[0], scratch[1], scratch[2]
    t_act, t_tox, t_weak, t_m, t_sk = (team_scratch[0], team_scratch[1], team_scratch[2], team_scratch[3],
                                       team_scratch[4])
    for b in range(B):
        (damp, rec_l, rec_m, rec_t, stress_head, tox_stress, relief, quota_stress, stress_rate,
         morale_base, success_w, insp_term, fb_term, coach_term, stress_w, tox_morale, res_morale, morale_mod,
         morale_rate, mood_sd, contagion, trust_head, tox_trust, tol_trust, trust_mod, trust_rate,
         practice, cap0, fb_skill, coach_skill, peer, g_strength, quota_now, window) = (
            rp[b, 0], rp[b, 1], rp[b, 2], rp[b, 3], rp[b, 4], rp[b, 5], rp[b, 6], rp[b, 7], rp[b, 8], rp[b, 9],
            rp[b, 10], rp[b, 11], rp[b, 12], rp[b, 13], rp[b, 14], rp[b, 15], rp[b, 16], rp[b, 17], rp[b, 18],
            rp[b, 19], rp[b, 20], rp[b, 21], rp[b, 22], rp[b, 23], rp[b, 24], rp[b, 25], rp[b, 26], rp[b, 27],
            rp[b, 28], rp[b, 29], rp[b, 30], rp[b, 31], rp[b, 32], rp[b, 33])
        # team sums of filled seats, toxic filled seats and weakness (1 - skill) x filled, in seat order
        for t in range(t_ptr.shape[0] - 1):
            sa = 0.0
            sx = 0.0
            sw = 0.0
            for m in range(t_ptr[t], t_ptr[t + 1]):
                i = t_idx[m]
                af = 1.0 if active[b, i] else 0.0
                xf = 1.0 if (toxic[b, i] and active[b, i]) else 0.0
                wk = (1.0 - skill[b, i]) * af
                if m == t_ptr[t]:
                    sa, sx, sw = af, xf, wk
                else:
                    sa, sx, sw = sa + af, sx + xf, sw + wk
            t_act[t] = sa
            t_tox[t] = sx
            t_weak[t] = sw
        # pass 1: everything that reads only the seat itself and start-of-week neighbours
        for i in range(N):
            t = team_of[i]
            a = active[b, i]
            af_i = 1.0 if a else 0.0
            if complete:
                na = t_act[t] - af_i
                ntox = t_tox[t] - (1.0 if (toxic[b, i] and a) else 0.0)
            else:
                na, ntox = _walk_active_toxic(i, b, active, toxic, a_ptr, a_idx, a_val)
            nbr_act[i] = na
            harm = 0.0
            team_tox = 0.0
            if f_tox:
                harm = ntox / max(na, 1.0) * damp
                team_tox = 1.0 if t_tox[t] > 0 else 0.0
            rec = 0.0
            if f_rec:
                won = 1.0 if wins_week[b, i] > 0 else 0.0
                top = 1.0 if pace[b, i] >= 1.0 else 0.0
                rec = rec_l * (rec_m * won + rec_t * top)
            res = resistance[b, i]
            st = stress[b, i]
            if f_stress:
                target = stress_head + tox_stress * harm + 0.3 * res - relief + quota_stress
                st = st + stress_rate * (min(max(target, 0.0), 1.0) - st)
                stress[b, i] = st
            m = morale[b, i]
            if f_drivers:
                target = (morale_base + success_w * tanh_pace[b, i] + insp_term + rec + fb_term + coach_term
                          - stress_w * st - tox_morale * harm - res_morale * res + morale_mod)
                m = m + morale_rate * (min(max(target, 0.0), 1.0) - m)
            if f_mood:
                m = m + mood_sd * ndtri(unit(key_mood[b], base, i))
            m = min(max(m, 0.0), 1.0)
            morale[b, i] = m
            if f_trust:
                target = trust_head - tox_trust * harm - tol_trust * team_tox - 0.2 * res + trust_mod
                tr = trust[b, i]
                trust[b, i] = tr + trust_rate * (min(max(target, 0.0), 1.0) - tr)
            if f_skill:
                sk = skill[b, i]
                gap = max(potential[b, i] - sk, 0.0)
                pr = practice * (taken[b, i] / cap0) if f_worked else practice * 1.0
                tw = t_weak[t] / max(t_act[t], 1.0)
                weak_w = (1.0 - sk) * af_i / max(tw, 1e-12) if tw > 0 else 0.0
                sk = sk + (pr + fb_skill + coach_skill * weak_w) * gap
                skill[b, i] = sk
                if f_strength and a:
                    best = 0
                    for s in range(1, S):
                        if log_strength[b, i, s] > log_strength[b, i, best]:
                            best = s
                    log_strength[b, i, best] = min(log_strength[b, i, best] + g_strength, log3)
            # attainment pace and the year's quota
            q = quota_now * max(ramp[b, i], 0.05)
            pace_now = revenue_week[b, i] * 52.0 / max(q, 1e-300) if q > 0 else 1.0
            if a:
                pace[b, i] = pace[b, i] + (pace_now - pace[b, i]) / window
                quota_year[b, i] = quota_year[b, i] + quota_now * ramp[b, i] / 52.0
            else:
                pace[b, i] = pace[b, i] + 0.0
                quota_year[b, i] = quota_year[b, i] + 0.0
            weeks_year[b, i] = weeks_year[b, i] + af_i
        # pass 2: DeGroot contagion and peer learning read the neighbours' pass-1 values
        if f_contagion or (f_skill and f_peer):
            if complete:
                for t in range(t_ptr.shape[0] - 1):
                    sm = 0.0
                    ss = 0.0
                    for m in range(t_ptr[t], t_ptr[t + 1]):
                        i = t_idx[m]
                        af = 1.0 if active[b, i] else 0.0
                        if m == t_ptr[t]:
                            sm, ss = morale[b, i] * af, skill[b, i] * af
                        else:
                            sm, ss = sm + morale[b, i] * af, ss + skill[b, i] * af
                    t_m[t] = sm
                    t_sk[t] = ss
            for i in range(N):
                t = team_of[i]
                na = nbr_act[i]
                if complete:
                    af_i = 1.0 if active[b, i] else 0.0
                    nm, nsk = t_m[t] - morale[b, i] * af_i, t_sk[t] - skill[b, i] * af_i
                else:
                    nm, nsk = _walk_morale_skill(i, b, active, morale, skill, a_ptr, a_idx, a_val)
                m_new[i] = morale[b, i]
                if f_contagion and active[b, i]:
                    w = contagion * (2.0 * cohesion[b, i]) if f_cohesion else contagion * 1.0
                    w = min(max(w, 0.0), 1.0) * (1.0 if na > 0 else 0.0)
                    nbr_mean = nm / max(na, 1e-300)
                    m_new[i] = (1.0 - w) * morale[b, i] + w * nbr_mean
                sk_new[i] = skill[b, i]
                if f_skill and f_peer:
                    sk = skill[b, i]
                    nbr_skill = nsk / max(na, 1e-300)
                    room = max(potential[b, i] - sk, 0.0)
                    lift = min(max(nbr_skill - sk, 0.0), room) * (1.0 if na > 0 else 0.0)
                    sk_new[i] = sk + peer * cohesion[b, i] * lift
            for i in range(N):
                morale[b, i] = m_new[i]
                skill[b, i] = sk_new[i]
        if f_skill:
            for i in range(N):
                skill[b, i] = min(max(skill[b, i], 0.0), 1.0)


# ------------------------------------------------------------------------------------------------
# turnover (submodels P6-P7; simteam/people.py)
# ------------------------------------------------------------------------------------------------
#: Per-row parameters of quit_draws, in the order of the columns of its ``rp`` argument.
QUIT_PARAMS = ("quit_base", "quit_morale", "quit_trust", "quit_attainment", "quit_stress", "quit_cohesion",
               "fairness_term", "resistance_quit")


@_jit
def quit_draws(rp, active, morale, trust, pace, tenure, stress, cohesion, resistance, key_quit, base, out):
    """Voluntary quits: ``out[b, i] = active and u < 1 - exp(-hazard)`` with the P6 hazard."""
    B, N = active.shape
    for b in range(B):
        q0, qm, qt, qa, qs, qc, fair, qr = rp[b, 0], rp[b, 1], rp[b, 2], rp[b, 3], rp[b, 4], rp[b, 5], rp[b, 6], rp[b, 7]
        kb = key_quit[b]
        for i in range(N):
            if not active[b, i]:
                out[b, i] = False
                continue
            settled = 1.0 if tenure[b, i] >= 13 else 0.0
            logh = (qm * (0.6 - morale[b, i]) + qt * (0.5 - trust[b, i])
                    + qa * (1.0 - min(pace[b, i], 2.0)) * settled
                    + qs * stress[b, i] - qc * (cohesion[b, i] - 0.5) - fair + qr * resistance[b, i])
            hazard = q0 * math.exp(logh)
            out[b, i] = unit(kb, base, i) < -math.expm1(-hazard)


@_jit
def tenure_and_ramp(active, grow, tenure, ramp_weeks, use_ramp, change_factor, ramp, productivity):
    """Tenure grows for filled seats (if ``grow``); ramp = 1 - exp(-tenure / ramp_weeks) (1 without ramp-up
    or at 0 weeks); productivity = ramp x change factor."""
    B, N = active.shape
    for b in range(B):
        rw = ramp_weeks[b]
        rwc = max(rw, 1e-9)
        for i in range(N):
            if grow and active[b, i]:
                tenure[b, i] = tenure[b, i] + 1.0
            r = (1.0 - math.exp(-tenure[b, i] / rwc) if rw > 0 else 1.0) * 1.0 if use_ramp else 1.0
            ramp[b, i] = r
            productivity[b, i] = r * change_factor[b, i]


@_jit
def draw_at(keys, base, rows, js, normal, out):
    """Uniform or normal numbers at positions ``(rows[q], js[q])`` of a decision's stream in one week."""
    for q in range(rows.shape[0]):
        u = unit(keys[rows[q]], base, js[q])
        out[q] = ndtri(u) if normal else u


# ------------------------------------------------------------------------------------------------
# recording the weekly team series (simteam/engine.py, Engine._record)
# ------------------------------------------------------------------------------------------------
#: Series filled by record_week, in the order of the rows of its ``out`` argument.
RECORD_SERIES = ("revenue", "deals", "pipeline", "headcount", "morale", "morale_sd", "trust", "trust_sd",
                 "skill", "skill_sd", "stress", "effort", "productivity", "attainment", "toxic_share", "adoption")


@_jit
def record_week(active, revenue_week, wins_week, pipeline, morale, trust, skill, stress, effort, productivity,
                pace, toxic, adopted, out):
    """Row sums and means of the weekly series, each summed over seats in seat order."""
    B, N = active.shape
    S = pipeline.shape[2]
    K = adopted.shape[2]
    for b in range(B):
        n = 0
        n_tox = 0
        n_adopt = 0
        rev = 0.0
        deals = 0.0
        pipe = 0.0
        sm = 0.0
        sm2 = 0.0
        st = 0.0
        st2 = 0.0
        ss = 0.0
        ss2 = 0.0
        sst = 0.0
        sef = 0.0
        spr = 0.0
        spa = 0.0
        for i in range(N):
            a = active[b, i]
            af = 1.0 if a else 0.0
            if a:
                n += 1
                if toxic[b, i]:
                    n_tox += 1
                for k in range(K):
                    if adopted[b, i, k]:
                        n_adopt += 1
            m = morale[b, i] * af
            tr = trust[b, i] * af
            sk = skill[b, i] * af
            pa = pace[b, i] if a else 0.0
            for s in range(S):  # the pipeline is summed over (seat, segment) pairs in order
                pipe = pipeline[b, i, s] if (i == 0 and s == 0) else pipe + pipeline[b, i, s]
            if i == 0:
                rev, deals = revenue_week[b, i], wins_week[b, i]
                sm, sm2, st, st2, ss, ss2 = m, m * m, tr, tr * tr, sk, sk * sk
                sst, sef, spr, spa = stress[b, i] * af, effort[b, i] * af, productivity[b, i] * af, pa
            else:
                rev += revenue_week[b, i]
                deals += wins_week[b, i]
                sm += m
                sm2 += m * m
                st += tr
                st2 += tr * tr
                ss += sk
                ss2 += sk * sk
                sst += stress[b, i] * af
                sef += effort[b, i] * af
                spr += productivity[b, i] * af
                spa += pa
        nf = float(n)
        nn = max(nf, 1.0)
        out[0, b] = rev
        out[1, b] = deals
        out[2, b] = pipe
        out[3, b] = nf
        mean = sm / nn
        out[4, b] = mean
        out[5, b] = np.sqrt(max(sm2 / nn - mean * mean, 0.0))
        mean = st / nn
        out[6, b] = mean
        out[7, b] = np.sqrt(max(st2 / nn - mean * mean, 0.0))
        mean = ss / nn
        out[8, b] = mean
        out[9, b] = np.sqrt(max(ss2 / nn - mean * mean, 0.0))
        out[10, b] = sst / nn
        out[11, b] = sef / nn
        out[12, b] = spr / nn
        out[13, b] = spa / nn
        out[14, b] = n_tox / nn
        out[15, b] = n_adopt / (nn * K) if K else np.nan


# ------------------------------------------------------------------------------------------------
# culture: cohesion (submodel C; simteam/culture.py)
# ------------------------------------------------------------------------------------------------
@_jit
def cohesion_step(t_ptr, t_idx, team_of, active, wins_week, base, celebrate, rate, cohesion, team_scratch):
    """kappa += rate (clip(base + celebrate x share of the team that won, 0, 1) - kappa); ``celebrate``
    is ``celebration_cohesion x recognition`` (0 x share without recognition)."""
    B, N = active.shape
    T = t_ptr.shape[0] - 1
    for b in range(B):
        for t in range(T):
            sw = 0.0
            sa = 0.0
            for m in range(t_ptr[t], t_ptr[t + 1]):
                i = t_idx[m]
                a = active[b, i]
                w = 1.0 if (a and wins_week[b, i] > 0) else 0.0
                af = 1.0 if a else 0.0
                if m == t_ptr[t]:
                    sw, sa = w, af
                else:
                    sw, sa = sw + w, sa + af
            team_scratch[0, t] = sw
            team_scratch[1, t] = sa
        for i in range(N):
            t = team_of[i]
            share = team_scratch[0, t] / max(team_scratch[1, t], 1.0)
            target = base[b] + celebrate[b] * share
            cohesion[b, i] = cohesion[b, i] + rate[b] * (min(max(target, 0.0), 1.0) - cohesion[b, i])


# ------------------------------------------------------------------------------------------------
# effort (submodel P1; simteam/people.py)
# ------------------------------------------------------------------------------------------------
@_jit
def effort_step(rp, morale, trust, stress, out):
    """e = clip(e0 + a_m (m - .5) + a_t (tau - .5) + [a_c g] + [a_a A] - a_s max(sigma - .5, 0), 0, 1);
    ``rp`` columns: e0, a_m, a_t, a_c g, a_a A, a_s."""
    B, N = morale.shape
    for b in range(B):
        e0, am, at, comm, acc, ast = rp[b, 0], rp[b, 1], rp[b, 2], rp[b, 3], rp[b, 4], rp[b, 5]
        for i in range(N):
            x = (e0 + am * (morale[b, i] - 0.5) + at * (trust[b, i] - 0.5) + comm + acc
                 - ast * max(stress[b, i] - 0.5, 0.0))
            out[b, i] = min(max(x, 0.0), 1.0)


# ------------------------------------------------------------------------------------------------
# culture: toxic pressure (submodel C; simteam/culture.py)
# ------------------------------------------------------------------------------------------------
@_jit
def toxic_pressure(t_ptr, t_idx, team_of, complete, a_ptr, a_idx, a_val, active, toxic, team_scratch, out):
    """``out[b, i]`` = number of seat i's peers who are filled and toxic (the SIS pressure)."""
    B, N = active.shape
    for b in range(B):
        if complete:
            for t in range(t_ptr.shape[0] - 1):
                sx = 0.0
                for m in range(t_ptr[t], t_ptr[t + 1]):
                    i = t_idx[m]
                    xf = 1.0 if (toxic[b, i] and active[b, i]) else 0.0
                    sx = xf if m == t_ptr[t] else sx + xf
                team_scratch[t] = sx
            for i in range(N):
                out[b, i] = team_scratch[team_of[i]] - (1.0 if (toxic[b, i] and active[b, i]) else 0.0)
        else:
            for i in range(N):
                sa, sx = _walk_active_toxic(i, b, active, toxic, a_ptr, a_idx, a_val)
                out[b, i] = sx
