# docs/language.md §9.6: dropout's p may be a const computed from consts (§4).
input x : [4]
target y : [1]
param w : [4] ~ 0
const p = 0.3
const q = p/2
h = dropout(x, q)
loss = Σ((w·h - y)²)
