# `window` in a model without time is unused: eqc check warns, and passes.
input x : [2]
target y : [1]
param w : [1, 2] ~ 0
ŷ = w·x
loss = Σ((ŷ - y)²)
output ŷ
train {
  window = 5
}
