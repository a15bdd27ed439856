# Train-block values from docs/language.md §7.
input x : [4]
target y : onehot[3]
train {
  data = csv("f.csv", x = 0:4, y = 4)
  optimizer = sgd(lr, momentum = 0, nesterov = false)
  epochs = 10; steps = 1000
  batch = 64
  window = 50
  clip = 5
  decay = 1e-4
  validate = 0.1
  seed = 42
  scale = standard
  dtype = f64
}
train {
  data = text("f.txt")
  optimizer = adam(lr, β₁ = 0.9, β₂ = 0.999, ε = 1e-8)
}
train {
  data = npy(x = "x.npy", y = "y.npy")
  optimizer = rmsprop(lr, ρ = 0.9, ε = 1e-8)
}
train { optimizer = adagrad(η, ε = 1e-8) }
train {
  optimizer = sgd(lr = 1)
  data = csv("with \"quotes\" and \\ backslash.csv",
             x = 0:4,
             y = 4)
}
param W₁, W₂ : [H, 4] ~ normal(0, 0.1)
param U : [H, H] ~ uniform(-1, 1)
param V : [H] ~ glorot_normal
param Z : [] ~ he
