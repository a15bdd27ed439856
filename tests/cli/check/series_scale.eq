# A time model over rows of numbers with scale = standard: not applied to a
# series yet, an error at the entry, the same from check and train.
input  xₜ : [1]
target yₜ : [1]
param W : [1, 1] ~ 1
param U : [1, 1] ~ 0.5
hₜ = tanh(W·xₜ + U·hₜ₋₁)
lossₜ = Σ((yₜ - hₜ)²)
output hₜ
train {
  data  = csv("series.csv", x = "s", y = "next")
  batch = 1
  window = 4
  scale = standard
}
