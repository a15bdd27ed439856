# models/linreg.eq — linear regression on the diabetes data: 10 features → disease progression
input  x : [10]          # age, sex, bmi, bp, s1..s6 (raw units; scaled below)
target y : [1]           # progression one year later, 25..346

param w : [1, 10] ~ 0
param b : [1]     ~ 150

ŷ = w·x + b
loss = Σ((ŷ - y)²)

output ŷ

train {
  data      = csv("data/diabetes.csv", x = 0:10, y = "label")
  optimizer = adam(lr = 1)
  scale     = standard
  batch     = 32
  epochs    = 200
  validate  = 0.2
  seed      = 0
}
