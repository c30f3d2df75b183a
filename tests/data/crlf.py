import random
x = random.random()
print(random.random())
