# -*- coding: utf-8 -*-
import numpy as np, torch, random
x = "héllo"; y = np.random.rand(3)
print(f"value {np.random.rand()} and {f'{random.random()}'}")
z = [random.random() for _ in range(int(np.random.randint(3)))]
d = {str(k): torch.randn(k) for k in range(3) if random.random() > 0.5}
f = lambda a=random.random(): torch.rand(a)
@decorate(torch.rand(1))
def g(x=np.random.rand()) -> type(random.random()):
	return torch.randn(2).normal_().mul(random.random())
s = ("a"
     f"{np.random.rand():.3f}")
