dim H = 3
x = a +
param input : [3]
