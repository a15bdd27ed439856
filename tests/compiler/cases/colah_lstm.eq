# An LSTM in Colah's notation: every gate multiplies the joined [hₜ₋₁, xₜ].
# The one-hot symbol's part of each product becomes a column lookup (the
# split-products pass); models_test holds it equal to the product at -O0.
dim V
dim H = 5

input  xₜ : onehot[V]
target yₜ : onehot[V]

param W_f, Wᵢ, W_c, Wₒ : [H, H + V] ~ glorot
param b_f, bᵢ, b_c, bₒ : [H] ~ 0
param W_y : [V, H] ~ glorot
param b_y : [V] ~ 0

fₜ = σ(W_f·[hₜ₋₁, xₜ] + b_f)
iₜ = σ(Wᵢ·[hₜ₋₁, xₜ] + bᵢ)
gₜ = tanh(W_c·[hₜ₋₁, xₜ] + b_c)
oₜ = σ(Wₒ·[hₜ₋₁, xₜ] + bₒ)
cₜ = fₜ*cₜ₋₁ + iₜ*gₜ
hₜ = oₜ*tanh(cₜ)
ŷₜ = softmax(W_y·hₜ + b_y)
lossₜ = -Σ(yₜ*log(ŷₜ))

output ŷₜ
