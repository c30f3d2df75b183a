import numpy as np
import torch
from monai.losses import DiceLoss
from monai.networks.nets import UNet
from monai.utils import set_determinism


def random_patch(vol, seg, size=96):
    z, y, x = (np.random.randint(0, s - size + 1) for s in vol.shape[-3:])
    sl = (..., slice(z, z + size), slice(y, y + size), slice(x, x + size))
    return vol[sl], seg[sl]


def main():
    set_determinism(seed=0)
    model = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(16, 32, 64), strides=(2, 2))
    loss_fn = DiceLoss(to_onehot_y=True, softmax=True)
    opt = torch.optim.Adam(model.parameters(), 1e-4)
    vols, segs = torch.load("brats_small.pt")
    for epoch in range(50):
        for i in torch.randperm(len(vols)).tolist():
            v, s = random_patch(vols[i], segs[i])
            loss = loss_fn(model(v[None]), s[None])
            opt.zero_grad()
            loss.backward()
            opt.step()
    torch.save(model.state_dict(), "unet.pt")
    set_determinism(seed=None)


if __name__ == "__main__":
    main()
