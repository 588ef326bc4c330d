"""Maximum-cardinality bipartite matching (Hopcroft–Karp).

Each phase finds, by breadth-first search from the free left vertices, the length of the
shortest augmenting paths, then augments along a maximal set of vertex-disjoint shortest
paths with depth-first searches (iterative, so long paths cannot hit Python's recursion
limit). When a phase finds no augmenting path the matching is maximum (Berge). O(E sqrt(V)).

The search tries each vertex's edges in the order given, starting from an optional initial
matching, so callers steer *which* maximum matching comes out (never its size).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

_INF = float("inf")


def maximum_matching(
    adjacency: Sequence[Sequence[int]], n_right: int, initial: Iterable[tuple[int, int]] = ()
) -> list[int]:
    """``match[i]`` = the right vertex matched to left vertex ``i``, or -1.

    ``adjacency[i]`` lists the right vertices (0 .. n_right - 1) left vertex ``i`` may be
    matched to. ``initial`` pairs (left, right) must be edges and disjoint; they are a
    starting point that augmentation may rearrange.
    """
    n_left = len(adjacency)
    match_l = [-1] * n_left
    match_r = [-1] * n_right
    for u, v in initial:
        if match_l[u] != -1 or match_r[v] != -1:
            raise ValueError(f"initial matching is not disjoint at ({u}, {v})")
        if v not in adjacency[u]:
            raise ValueError(f"initial pair ({u}, {v}) is not an edge")
        match_l[u], match_r[v] = v, u
    dist: list[float] = [0.0] * n_left

    def bfs() -> bool:
        queue: deque[int] = deque()
        for u in range(n_left):
            if match_l[u] == -1:
                dist[u] = 0
                queue.append(u)
            else:
                dist[u] = _INF
        found = False
        while queue:
            u = queue.popleft()
            for v in adjacency[u]:
                w = match_r[v]
                if w == -1:
                    found = True
                elif dist[w] == _INF:
                    dist[w] = dist[u] + 1
                    queue.append(w)
        return found

    def augment(root: int, ptr: list[int]) -> bool:
        stack = [root]
        via: list[int] = []  # via[k]: the right vertex stack[k] reaches stack[k + 1] through
        while stack:
            u = stack[-1]
            edges = adjacency[u]
            pushed = False
            while ptr[u] < len(edges):
                v = edges[ptr[u]]
                ptr[u] += 1
                w = match_r[v]
                if w == -1:
                    # free right vertex: flip the path root .. u .. v
                    via.append(v)
                    for left, right in zip(stack, via):
                        match_l[left] = right
                        match_r[right] = left
                    return True
                if dist[w] == dist[u] + 1:
                    via.append(v)
                    stack.append(w)
                    pushed = True
                    break
            if not pushed:
                dist[u] = _INF  # dead end for the rest of this phase
                stack.pop()
                if via:
                    via.pop()
        return False

    while bfs():
        ptr = [0] * n_left
        for u in range(n_left):
            if match_l[u] == -1:
                augment(u, ptr)
    return match_l
