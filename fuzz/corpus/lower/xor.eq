# models/xor.eq — the XOR function, which no linear model can fit: 2 → 8 → 1
input  x : [2]
target y : [1]

param W₁ : [8, 2] ~ normal(0, 1)
param b₁ : [8]    ~ 0
param W₂ : [1, 8] ~ normal(0, 1)
param b₂ : [1]    ~ 0

h = tanh(W₁·x + b₁)
p = σ(W₂·h + b₂)
loss = -Σ(y*log(p) + (1 - y)*log(1 - p))

output p

train {
  data      = csv("data/xor.csv", x = 0:2, y = "y")
  optimizer = adam(lr = 0.05)
  batch     = 4
  epochs    = 300
  seed      = 1
}
