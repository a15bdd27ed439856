# A param without `~` is an error (it was silently zero).
input x : [2]
param w : [2] ~ 0
param λ
y = w·x * λ
