# models/logreg.eq — multinomial logistic regression on Fisher's iris: 4 → 3
input  x : [4]           # sepal and petal length and width, cm
target y : onehot[3]     # the species

param W : [3, 4] ~ 0
param b : [3]    ~ 0

ŷ = softmax(W·x + b)
loss = -Σ(y*log(ŷ))

output ŷ

train {
  data      = csv("data/iris.csv", x = 0:4, y = "label")
  optimizer = adam(lr = 0.05)
  scale     = standard
  batch     = 16
  epochs    = 100
  validate  = 0.2
  seed      = 0
}
