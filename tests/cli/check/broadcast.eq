# w*x written for w·x: ŷ has 10 values, each compared with the one y.
# A warning (check and train print it), not an error.
input  x : [10]
target y : [1]
param w : [10] ~ 0
param b : [1] ~ 150
ŷ = w*x + b
loss = Σ((ŷ - y)²)
output ŷ

train {
  data   = csv("../../../models/data/diabetes.csv", x = 0:10, y = "label")
  batch  = 32
  epochs = 1
}
