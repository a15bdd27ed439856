# One LSTM step (LANGUAGE.md's model, small): the cell update is the
# elementwise-heavy part fusion targets.
dim V = 5
dim H = 4
input  xₜ : onehot[V]
target yₜ : onehot[V]
param Wᵢ, Wf, Wₒ, Wc : [H, V] ~ glorot
param Uᵢ, Uf, Uₒ, Uc : [H, H] ~ orthogonal
param Bᵢ, Bf, Bₒ, Bc : [H]    ~ 0
param Wy : [V, H] ~ glorot
param By : [V]    ~ 0
iₜ = σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)
fₜ = σ(Wf·xₜ + Uf·hₜ₋₁ + Bf)
oₜ = σ(Wₒ·xₜ + Uₒ·hₜ₋₁ + Bₒ)
ĉₜ = tanh(Wc·xₜ + Uc·hₜ₋₁ + Bc)
cₜ = fₜ*cₜ₋₁ + iₜ*ĉₜ
hₜ = oₜ*tanh(cₜ)
ŷₜ = softmax(Wy·hₜ + By)
lossₜ = -Σ(yₜ*log(ŷₜ))
output ŷₜ
