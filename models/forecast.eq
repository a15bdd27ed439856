# models/forecast.eq — a GRU (Cho et al. 2014) that forecasts next year's
# sunspot number from this year's, over the yearly series 1700–2008: a time
# model over rows of numbers, one row a year (docs/language.md §9).
dim H = 16

input  xₜ : [1]               # the sunspot number of year t
target yₜ : [1]               # of year t + 1

param W_z, Wᵣ, Wₕ : [H, 1] ~ glorot
param U_z, Uᵣ, Uₕ : [H, H] ~ orthogonal
param B_z, Bᵣ, Bₕ : [H]    ~ 0
param Wy : [1, H] ~ glorot
param By : [1]    ~ 0

sₜ = xₜ / 100                 # numbers of order 1
zₜ = σ(W_z·sₜ + U_z·hₜ₋₁ + B_z)          # update gate
rₜ = σ(Wᵣ·sₜ + Uᵣ·hₜ₋₁ + Bᵣ)             # reset gate
ĥₜ = tanh(Wₕ·sₜ + Uₕ·(rₜ*hₜ₋₁) + Bₕ)     # candidate state
hₜ = (1 - zₜ)*hₜ₋₁ + zₜ*ĥₜ
ŷₜ = xₜ + 100(Wy·hₜ + By)     # this year's number plus the change the GRU expects
lossₜ = Σ(((yₜ - ŷₜ) / 100)²)

output ŷₜ

train {
  data      = csv("data/sunspots.csv", x = "sunspots", y = "next")
  optimizer = adam(lr = 3e-3)
  batch     = 4                # streams
  window    = 10               # years per window
  epochs    = 60 
  validate  = 0.2              # the last 61 years
  seed      = 1
}
