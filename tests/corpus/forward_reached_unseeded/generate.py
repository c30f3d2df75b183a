import sys

import torch
from torchvision.utils import save_image

from vae import ConvVAE

if __name__ == "__main__":
    model = ConvVAE()
    model.load_state_dict(torch.load(sys.argv[1]))
    model.eval()
    test_images = torch.load("mnist_test.pt")[:8]
    with torch.no_grad():
        recon, _, _ = model(test_images)
        samples = model.sample(64)
    save_image(torch.cat([test_images, recon]), "recon.png", nrow=8)
    save_image(samples, "samples.png", nrow=8)
