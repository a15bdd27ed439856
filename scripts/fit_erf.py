#!/usr/bin/env python3
"""Prints the polynomial coefficients of runtime/vmath_erf.hpp.

Each polynomial is a weighted least-squares fit (relative error) on Chebyshev
nodes at 50 digits. The coefficients are fitted one at a time: the lowest is
rounded to float / double, the rest are refitted around it, and so on, so the
rounded set fits as a whole (rounding a plain fit's coefficients can cost more
than the fit error). Needs mpmath; takes about a minute.

  erfcx(t) = e^{t^2} erfc(t),  H(t) = (t + k) erfcx(t),  k = 2
  lower: H as a polynomial in u - 1/4, u = t/(t + k), t in [0, k]
  upper: H as a polynomial in w = k/(t + k), t in [k, t_max]
  small: Q(z) = erf(sqrt z)/sqrt z - 1, z in [0, 0.875^2], error relative to
         1 + Q (erf(x) = x + x Q(x^2): Q's error counts next to 1)
"""
import struct
import mpmath as mp

mp.mp.dps = 50
K = mp.mpf(2)


def to_float(x):
    return mp.mpf(struct.unpack('f', struct.pack('f', float(x)))[0])


def to_double(x):
    return mp.mpf(float(x))


def fit(f, lo, hi, n, rnd, scale=None):
    # Minimises |fit - f| / scale(x): scale = f (relative error) by default.
    scale = scale or f
    m = 6 * n
    xs = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (i + mp.mpf(0.5)) / m) for i in range(m)]
    xs += [lo, hi]
    fs = [f(x) for x in xs]
    coeffs = []
    for j in range(n):
        rows, rhs = [], []
        for x, fx in zip(xs, fs):
            w = 1 / abs(scale(x))
            fixed = sum(c * x**i for i, c in enumerate(coeffs))
            rows.append([w * x**i for i in range(j, n)])
            rhs.append(w * (fx - fixed))
        solution, _ = mp.qr_solve(mp.matrix(rows), mp.matrix(rhs))
        coeffs.append(rnd(solution[0]))
    worst = max(abs(mp.polyval(coeffs[::-1], x) - f(x)) / abs(scale(x))
                for x in (lo + (hi - lo) * i / 2000 for i in range(2001)))
    return coeffs, worst


def erfcx(t):
    return mp.erfc(t) * mp.exp(t * t)


def h(t):
    return (t + K) * erfcx(t)


def q(z):
    if z == 0:
        return 2 / mp.sqrt(mp.pi) - 1
    x = mp.sqrt(z)
    return mp.erf(x) / x - 1


for name, rnd, suffix, t_max, n_erfcx, n_small in [('float', to_float, 'f', 10.5, 10, 7),
                                                    ('double', to_double, '', 27.5, 20, 13)]:
    t_max = mp.mpf(t_max)
    parts = [
        ('lower', lambda v: h(K * (v + mp.mpf(0.25)) / (1 - v - mp.mpf(0.25))), mp.mpf(-0.25), mp.mpf(0.25), n_erfcx),
        ('upper', lambda w: h(K / w - K), K / (t_max + K), mp.mpf(0.5), n_erfcx),
        ('small', q, mp.mpf(0), mp.mpf(0.875)**2, n_small),
    ]
    for part, f, lo, hi, n in parts:
        coeffs, worst = fit(f, lo, hi, n, rnd, (lambda z: 1 + q(z)) if part == 'small' else None)
        print(f'// {name} {part}: relative fit error {mp.nstr(worst, 3)}')
        print(', '.join(repr(float(c)) + suffix for c in coeffs))
