import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.head = nn.Linear(64 * 8 * 8, n_classes)
        nn.init.xavier_uniform_(self.head.weight)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.dropout(x.flatten(1), p=0.25, training=self.training)
        return self.head(x)


def fake_batch(batch_size):
    images = torch.rand(batch_size, 3, 32, 32)
    labels = torch.randint(0, 10, (batch_size,))
    return images, labels


def main():
    device = torch.device("cpu")
    model = SmallCNN().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    for step in range(100):
        images, labels = fake_batch(32)
        if step % 10 == 0:
            keep = torch.randperm(images.shape[0])[:16]
            images, labels = images[keep], labels[keep]
        loss = F.cross_entropy(model(images.to(device)), labels.to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
