import torch
from torch.utils.data import DataLoader, TensorDataset

from datasets import RandomErasing, eval_masks, span_masks


def main():
    torch.manual_seed(0)
    images = torch.load("imagenet_subset.pt")
    ds = RandomErasing(TensorDataset(images, torch.zeros(len(images))))
    loader = DataLoader(ds, batch_size=64, num_workers=0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(images[0].numel()))
    opt = torch.optim.AdamW(model.parameters(), lr=1.5e-4)
    for x, _ in loader:
        mask = span_masks(x.shape, x.device)
        loss = (model(x * ~mask).view_as(x) - x)[mask].pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(eval_masks((4, 16), seed=1).sum())


if __name__ == "__main__":
    main()
