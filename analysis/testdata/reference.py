"""Reference values for analysis tests, computed independently of the Go
code: exact rational arithmetic (fractions) wherever possible, math.sqrt,
math.erfc and closed forms elsewhere. Standard library only.

Run: python3 reference.py
"""
import math
from fractions import Fraction as F


def solve(a, b):
    """Gauss-Jordan elimination over Fractions: returns a^-1 b (a square)."""
    n = len(a)
    m = [list(row) + list(rb) for row, rb in zip(a, b)]
    for c in range(n):
        p = next(r for r in range(c, n) if m[r][c] != 0)
        m[c], m[p] = m[p], m[c]
        piv = m[c][c]
        m[c] = [v / piv for v in m[c]]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c]
                m[r] = [vr - f * vc for vr, vc in zip(m[r], m[c])]
    return [row[n:] for row in m]


def ols(y, cols, clusters=None):
    n, p = len(y), len(cols) + 1
    X = [[F(1)] + [c[i] for c in cols] for i in range(n)]
    xtx = [[sum(X[i][j] * X[i][k] for i in range(n)) for k in range(p)] for j in range(p)]
    ident = [[F(int(j == k)) for k in range(p)] for j in range(p)]
    inv = solve(xtx, ident)
    xty = [sum(X[i][j] * y[i] for i in range(n)) for j in range(p)]
    beta = [sum(inv[j][k] * xty[k] for k in range(p)) for j in range(p)]
    e = [y[i] - sum(X[i][j] * beta[j] for j in range(p)) for i in range(n)]
    rss = sum(v * v for v in e)
    ybar = sum(y) / n
    tss = sum((v - ybar) ** 2 for v in y)
    out = {"beta": [float(b) for b in beta], "R2": float(1 - rss / tss)}
    s2 = rss / (n - p)
    out["se"] = [math.sqrt(float(s2 * inv[j][j])) for j in range(p)]
    if clusters is not None:
        groups = sorted(set(clusters))
        G = len(groups)
        meat = [[F(0)] * p for _ in range(p)]
        for g in groups:
            s = [sum(X[i][j] * e[i] for i in range(n) if clusters[i] == g) for j in range(p)]
            for j in range(p):
                for k in range(p):
                    meat[j][k] += s[j] * s[k]
        bm = [[sum(inv[j][l] * meat[l][k] for l in range(p)) for k in range(p)] for j in range(p)]
        v = [[sum(bm[j][l] * inv[l][k] for l in range(p)) for k in range(p)] for j in range(p)]
        c = F(G, G - 1) * F(n - 1, n - p)
        out["cr1_se"] = [math.sqrt(float(c * v[j][j])) for j in range(p)]
    return out


def t_cdf_odd(t, nu):
    """P(T <= t) for odd nu by the closed form (Abramowitz & Stegun 26.7.3)."""
    th = math.atan(t / math.sqrt(nu))
    s, term = 0.0, math.cos(th)
    if nu > 1:
        s = term
        for k in range(3, nu - 1, 2):
            term *= math.cos(th) ** 2 * (k - 1) / k
            s += term
    a = 2 / math.pi * (th + math.sin(th) * s) if nu > 1 else 2 / math.pi * th
    return 0.5 + 0.5 * a


def phi_c(z):
    return 0.5 * math.erfc(z / math.sqrt(2))


# 1. Anscombe's quartet, set I (Anscombe 1973; R datasets::anscombe).
x = [F(v) for v in [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]]
y = [F(v) for v in "8.04 6.95 7.58 8.81 8.33 9.96 7.24 4.26 10.84 4.82 5.68".split()]
n = len(x)
mx, my = sum(x) / n, sum(y) / n
sxx = sum((a - mx) ** 2 for a in x)
syy = sum((b - my) ** 2 for b in y)
sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
r = float(sxy) / math.sqrt(float(sxx * syy))
t = r * math.sqrt(n - 2) / math.sqrt(1 - r * r)
print("anscombe r", repr(r))
print("anscombe t", repr(t), "p", repr(2 * (1 - t_cdf_odd(t, 9))))
q = 1.959963984540054  # standard normal 0.975 quantile
h = q / math.sqrt(n - 3)
print("anscombe fisher95", repr(math.tanh(math.atanh(r) - h)), repr(math.tanh(math.atanh(r) + h)))
print("anscombe ols", ols(y, [x]))

# 2. Multiple regression with clusters (made-up data).
layer = [F(v) for v in [1, 2, 3] * 4]
width = [F(v) for v in [2, 2, 2, 5, 5, 5, 10, 10, 10, 5, 5, 5]]
depth = [F(v) for v in [3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4]]
zz = [F(v) for v in "1.9 1.4 1.2 1.7 1.1 0.8 1.3 0.9 0.4 1.6 1.2 0.7".split()]
cl = ["a"] * 3 + ["b"] * 3 + ["c"] * 3 + ["d"] * 3
print("multiple ols", ols(zz, [layer, width, depth], cl))

# 3. Signed-rank normal approximation with ties and a zero.
d = [1, 2, 2, 3, 3, 3, -1, 4, 0, 5, 6, -2]
nz = [v for v in d if v != 0]
m = len(nz)
# mid-ranks of |d| by hand: 1,1 -> 1.5; 2,2,2 -> 4; 3,3,3 -> 7; 4 -> 9; 5 -> 10; 6 -> 11
V = 1.5 + 4 + 4 + 7 * 3 + 9 + 10 + 11
ties = (2**3 - 2) + (3**3 - 3) + (3**3 - 3)
sd = math.sqrt(m * (m + 1) * (2 * m + 1) / 24 - ties / 48)
z = V - m * (m + 1) / 4
print("signrank V", V, "sd", sd)
print("signrank p two-sided", repr(2 * phi_c((z - 0.5) / sd)))
print("signrank p greater", repr(phi_c((z - 0.5) / sd)), "less", repr(1 - phi_c((z + 0.5) / sd)))
