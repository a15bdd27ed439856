dim V                # set by the data: eqc check uses a placeholder
input x : onehot[V]
param W : [3, 5] ~ glorot
param U : [3, V] ~ glorot
y = W·x + U·x
