# models/nplm.eq — the neural probabilistic language model of Bengio, Ducharme,
# Vincent & Jauvin (2003), over characters: the three characters before one
# predict it. Each character of the context is looked up in the shared table
# C (w·C is a row lookup: one row of C per index), the three rows are laid
# end to end into x, and
#     y = b + W·x + U·tanh(d + H·x),    P̂(wₜ = i | context) = softmax(y)ᵢ
# as the paper writes it (§2: W holds the optional direct connections).
# The windows come from tinyshakespeare via scripts/make-windows.py.
dim V = 65    # the characters of tinyshakespeare.txt, in sorted order
dim m = 16    # the size of a character's feature vector C(i)
dim h = 128   # hidden units

input  c : onehot[3, V]   # the context wₜ₋₃, wₜ₋₂, wₜ₋₁ (columns c0, c1, c2)
target w : onehot[V]      # the next character wₜ (column next)

param C : [V, m]  ~ normal(0, 0.1)
param H : [h, 3m] ~ glorot
param d : [h]     ~ 0
param U : [V, h]  ~ glorot
param W : [V, 3m] ~ glorot
param b : [V]     ~ 0

x = vec(c·C)                      # (C(wₜ₋₃), C(wₜ₋₂), C(wₜ₋₁))
y = b + W·x + U·tanh(d + H·x)
P̂ = softmax(y)
loss = -Σ(w*log(P̂))

output P̂

train {
  data      = csv("data/tinyshakespeare_windows.csv", c = 0:3, w = "next")
  optimizer = adam(lr = 2e-3)
  batch     = 64
  epochs    = 20
  validate  = 0.1
  seed      = 0
}
