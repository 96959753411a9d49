"""Team graphs: generators, edge-list import, and the sparse operators the step uses.

The graph is an input that describes the organisation (who sits in which team,
who works with whom), so one structure is shared by every replication of a batch;
luck is per replication, structure is not. Graphs are built in bulk with numpy
(a 1,000,000-rep organisation takes about a second); the networkx view with leader
nodes and reporting lines is built on demand for inspection and drawing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ._lazy import lazy_module
from .params import ConfigError

# imported on first use: validating a configuration imports this module without building a graph
nx = lazy_module("networkx")
sp = lazy_module("scipy.sparse")

__all__ = ["TeamStructure", "build_structure", "regroup", "read_edgelist", "rowsum"]


def rowsum(x: np.ndarray, keepdims: bool = False) -> np.ndarray:
    """Sum over every axis but the first, in a fixed sequential order.

    numpy's ``sum(axis=1)`` picks its summation order from the array's shape, so a row's
    float sum can differ in the last bit between a batch of 1 and a batch of 50. A
    cumulative sum is strictly sequential per row, which keeps batch = single runs exact.
    """
    flat = x.reshape(x.shape[0], -1)
    k = flat.shape[1]
    if flat.dtype == np.float64 and 1 < k <= 64 and flat.shape[0] > k:
        # many short rows (e.g. the sweep batch): add column by column, the same additions in the same
        # order as the cumsum below (bit-identical) without numpy's per-row accumulate overhead
        out = flat[:, 0].copy()
        for j in range(1, k):
            out += flat[:, j]
    else:
        out = np.cumsum(flat, axis=1)[:, -1] if k else np.zeros(x.shape[0])
    return out[:, None] if keepdims else out


@dataclass
class TeamStructure:
    """The organisation's shape.

    Attributes:
        team_of: (N,) team index of each seat.
        n_teams: Number of teams (each with one leader).
        adjacency: (N, N) symmetric 0/1 CSR matrix of peer ties between seats.
        complete: True when every team is a clique with no cross-team ties
            (neighbour sums then use team sums, O(N) instead of O(N^2)).
        head_of_sales: Whether the networkx view adds a head of sales.
    """

    team_of: np.ndarray
    n_teams: int
    adjacency: sp.csr_matrix
    complete: bool = False
    head_of_sales: bool = False

    def __post_init__(self):
        n = self.team_of.shape[0]
        self.n = n
        self.team_sizes = np.bincount(self.team_of, minlength=self.n_teams)
        # transposed CSR for right-multiplication of (B, N) row batches; the adjacency is symmetric, so
        # when its indices are already sorted the transpose is the same matrix and is not stored twice
        self._adj_t = None
        if not self.complete:
            a = self.adjacency
            # row i of a symmetric matrix's transpose is row i itself: in canonical form (sorted, no
            # duplicates) the two CSR layouts are the same arrays
            self._adj_t = a if a.has_canonical_format else a.T.tocsr()
        # the seats of each team in seat order (CSR: the indices of the team x seat membership matrix), for the
        # compiled kernels
        idx = np.int32 if n < 2**31 - 1 else np.int64
        self.members_ptr = np.zeros(self.n_teams + 1, dtype=idx)
        np.cumsum(self.team_sizes, out=self.members_ptr[1:])
        self.members = np.argsort(self.team_of, kind="stable").astype(idx)
        self.team_sizes_f = self.team_sizes.astype(np.float64)
        self.team_of_i = np.ascontiguousarray(self.team_of, dtype=np.int64)
        adj = self._adj_t if self._adj_t is not None else sp.csr_matrix((n, n))
        self.adj_ptr = adj.indptr
        self.adj_idx = adj.indices
        self.adj_val = np.ascontiguousarray(adj.data, dtype=np.float64)

    @functools.cached_property
    def degree(self) -> np.ndarray:
        """(N,) number of peers of each seat (made when first asked for: 8 bytes per rep)."""
        if self.complete:
            return (self.team_sizes[self.team_of] - 1).astype(float)
        return np.asarray(self.adjacency.sum(axis=1)).ravel()

    @functools.cached_property
    def _mem_t(self):
        """The (T, N) 0/1 membership matrix (CSR), made when a team sum first needs it."""
        n = self.n
        return sp.csr_matrix((np.ones(n), (self.team_of, np.arange(n))), shape=(self.n_teams, n))

    def team_sum(self, x: np.ndarray) -> np.ndarray:
        """Sum of ``x`` (B, N) over each team: (B, T)."""
        if self.n_teams == 1:
            return rowsum(x, keepdims=True)
        return np.asarray((self._mem_t @ x.T).T)

    def to_seats(self, team_values: np.ndarray) -> np.ndarray:
        """Broadcast (B, T) team values back to seats: (B, N)."""
        if self.n_teams == 1:
            return np.broadcast_to(team_values[:, :1], (team_values.shape[0], self.n))
        return team_values[:, self.team_of]

    def neighbor_sum(self, x: np.ndarray) -> np.ndarray:
        """Sum of ``x`` (B, N) over each seat's peers: (B, N)."""
        if self.complete:
            return self.to_seats(self.team_sum(x)) - x
        return np.asarray((self._adj_t @ x.T).T)

    def spectral_radius(self) -> float:
        """Largest eigenvalue of the adjacency matrix (SIS epidemic threshold is 1/this)."""
        if self.complete:
            return float(self.team_sizes.max() - 1)
        from scipy.sparse.linalg import eigsh
        a = self.adjacency.astype(float)
        if a.shape[0] < 50:
            return float(np.max(np.linalg.eigvalsh(a.toarray())))
        return float(eigsh(a, k=1, which="LA", return_eigenvectors=False)[0])

    def to_networkx(self) -> nx.Graph:
        """The team graph with leader nodes and reporting lines.

        Rep nodes are ``0..N-1`` (``kind='rep'``), leaders ``'L0'..`` (``kind='leader'``),
        and an optional ``'HoS'``. Edges carry ``kind`` = ``'peer'`` or ``'reports_to'``.
        """
        g = nx.Graph()
        g.add_nodes_from((i, {"kind": "rep", "team": int(t)}) for i, t in enumerate(self.team_of))
        if self.complete:
            for t in range(self.n_teams):
                members = np.flatnonzero(self.team_of == t)
                g.add_edges_from(((int(a), int(b)) for ai, a in enumerate(members) for b in members[ai + 1:]),
                                 kind="peer")
        else:
            coo = sp.triu(self.adjacency, k=1).tocoo()
            g.add_edges_from(zip(coo.row.tolist(), coo.col.tolist()), kind="peer")
        for t in range(self.n_teams):
            g.add_node(f"L{t}", kind="leader", team=t)
            g.add_edges_from(((f"L{t}", int(i)) for i in np.flatnonzero(self.team_of == t)), kind="reports_to")
        if self.head_of_sales and self.n_teams > 1:
            g.add_node("HoS", kind="head_of_sales", team=-1)
            g.add_edges_from((("HoS", f"L{t}") for t in range(self.n_teams)), kind="reports_to")
        return g


def _symmetric(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_matrix:
    keep = rows != cols
    # int32 positions and 1-byte counts while building (a million reps have millions of edges); the
    # result is the canonical 0/1 float matrix
    idx = np.int32 if n < 2**31 - 1 else np.int64
    rows, cols = rows[keep].astype(idx), cols[keep].astype(idx)
    a = sp.csr_matrix((np.ones(rows.size * 2, dtype=np.int8), (np.r_[rows, cols], np.r_[cols, rows])), shape=(n, n))
    del rows, cols
    a.sum_duplicates()
    return sp.csr_matrix((np.ones(a.nnz), a.indices, a.indptr), shape=(n, n))


def _small_world_edges(team_of: np.ndarray, k: int, p: float, rng: np.random.Generator):
    """Watts-Strogatz ring lattices inside each team, rewired within the team, in bulk."""
    rows, cols = [], []
    order = np.argsort(team_of, kind="stable")
    sizes = np.bincount(team_of)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    for size in np.unique(sizes):
        if size < 2:
            continue
        teams = np.flatnonzero(sizes == size)
        kk = min(k // 2, (size - 1) // 2 if size > 2 else 1)
        if kk == 0:
            continue
        base = starts[teams][:, None]  # (T', 1)
        local = np.arange(size)
        for j in range(1, kk + 1):
            src = (base + local).ravel()
            dst_local = (local + j) % size
            dst = (base + dst_local).ravel()
            rewire = rng.random(src.size) < p
            if rewire.any():
                # a new partner other than the rep itself (no self-loops, so nobody is isolated)
                new_local = (local + 1 + rng.integers(0, size - 1, size=(len(teams), size))) % size
                dst = np.where(rewire, (base + new_local).ravel(), dst)
            rows.append(order[src])
            cols.append(order[dst])
    if not rows:
        return np.zeros(0, int), np.zeros(0, int)
    return np.concatenate(rows), np.concatenate(cols)


def _sbm_edges(team_of: np.ndarray, p: float, rng: np.random.Generator):
    rows, cols = [], []
    for t in range(int(team_of.max()) + 1):
        m = np.flatnonzero(team_of == t)
        if m.size < 2:
            continue
        iu = np.triu_indices(m.size, k=1)
        keep = rng.random(iu[0].size) < p
        rows.append(m[iu[0][keep]])
        cols.append(m[iu[1][keep]])
    if not rows:
        return np.zeros(0, int), np.zeros(0, int)
    return np.concatenate(rows), np.concatenate(cols)


def _cross_edges(team_of: np.ndarray, mean_ties: float, rng: np.random.Generator):
    n = team_of.size
    if mean_ties <= 0 or team_of.max() == 0:
        return np.zeros(0, int), np.zeros(0, int)
    m = rng.poisson(mean_ties * n / 2)
    a = rng.integers(0, n, m)
    b = rng.integers(0, n, m)
    keep = team_of[a] != team_of[b]
    return a[keep], b[keep]


def read_edgelist(path: str, n: int, ids: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Read a CSV edge list with columns ``source,target``.

    Values are rep ids from the roster (when ``ids`` is given) or seat numbers 0..n-1.

    Raises:
        ValueError: naming the file, row and column of the first bad entry.
    """
    import csv

    index = {str(r): i for i, r in enumerate(ids)} if ids is not None else None
    try:
        fh = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise ConfigError(f"team.edgelist: cannot read {path!r}: {e.strerror}") from None
    try:
        return _read_edges(fh, path, index, n)
    except UnicodeDecodeError as e:
        raise ConfigError(f"team.edgelist: {path} is not UTF-8 text (byte {e.start}); save it as UTF-8 CSV") from None
    except csv.Error as e:
        raise ConfigError(f"team.edgelist: {path} is not a readable CSV ({e})") from None


def _read_edges(fh, path, index, n):
    import csv

    rows, cols = [], []
    with fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"source", "target"} <= set(reader.fieldnames):
            raise ConfigError(f"team.edgelist: {path} needs columns source,target; found {reader.fieldnames}")
        for line, rec in enumerate(reader, start=2):
            ends = []
            for col in ("source", "target"):
                v = (rec[col] or "").strip()
                if index is not None:
                    if v not in index:
                        raise ConfigError(f"team.edgelist: {path} row {line} column {col}: unknown rep id {v!r}")
                    ends.append(index[v])
                else:
                    if not v.isdigit() or int(v) >= n:
                        raise ConfigError(f"team.edgelist: {path} row {line} column {col}: "
                                         f"expected a seat number 0..{n - 1}, got {v!r}")
                    ends.append(int(v))
            rows.append(ends[0])
            cols.append(ends[1])
    return np.array(rows, dtype=int), np.array(cols, dtype=int)


def build_structure(team_of: np.ndarray, graph: str, *, k_neighbors: int = 4, rewire_p: float = 0.1,
                    p_within: float = 0.4, cross_ties: float = 0.5, seed: int = 7,
                    edgelist: tuple[np.ndarray, np.ndarray] | None = None,
                    head_of_sales: bool = False) -> TeamStructure:
    """Build the team structure for seats assigned to teams by ``team_of``.

    Args:
        team_of: (N,) team index of each seat (0..T-1, every team non-empty).
        graph: ``small_world``, ``sbm``, ``complete`` or ``edgelist``.
        k_neighbors: Small-world ties per rep inside its team.
        rewire_p: Small-world rewiring probability.
        p_within: SBM tie probability inside a team.
        cross_ties: Mean ties per rep to other teams.
        seed: Seed of the structure.
        edgelist: For ``edgelist``: (sources, targets) as seat indices.
        head_of_sales: Add a head of sales in the networkx view.
    """
    team_of = np.asarray(team_of, dtype=np.int64)
    n = team_of.size
    n_teams = int(team_of.max()) + 1 if n else 1
    rng = np.random.default_rng(seed)
    if graph == "complete":
        if n_teams == 1 or cross_ties <= 0:
            return TeamStructure(team_of, n_teams, sp.csr_matrix((n, n)), complete=True,
                                 head_of_sales=head_of_sales)
        rows, cols = [], []
        for t in range(n_teams):
            m = np.flatnonzero(team_of == t)
            iu = np.triu_indices(m.size, k=1)
            rows.append(m[iu[0]])
            cols.append(m[iu[1]])
        r, c = np.concatenate(rows), np.concatenate(cols)
    elif graph == "small_world":
        r, c = _small_world_edges(team_of, k_neighbors, rewire_p, rng)
    elif graph == "sbm":
        r, c = _sbm_edges(team_of, p_within, rng)
    elif graph == "edgelist":
        if edgelist is None:
            raise ConfigError("team.edgelist: the edgelist graph needs an edge list")
        r, c = edgelist
    else:
        raise ValueError(f"team.graph: unknown generator {graph!r}")
    if graph != "edgelist":
        xr, xc = _cross_edges(team_of, cross_ties, rng)
        r, c = np.r_[r, xr], np.r_[c, xc]
    return TeamStructure(team_of, n_teams, _symmetric(r, c, n), head_of_sales=head_of_sales)


def regroup(structure: TeamStructure, graph: str, seed: int, **kwargs) -> TeamStructure:
    """A regrouped organisation: seats shuffled across teams (sizes kept), ties redrawn.

    With one team, the team keeps its members and its peer ties are redrawn (new pods
    and seating). Deterministic in ``seed``, so every replication sees the same new
    structure.
    """
    rng = np.random.default_rng(seed)
    team_of = structure.team_of.copy()
    if structure.n_teams > 1:
        team_of = team_of[rng.permutation(team_of.size)]
    if graph == "edgelist":
        graph = "small_world"
    return build_structure(team_of, graph, seed=seed + 1, head_of_sales=structure.head_of_sales, **kwargs)
