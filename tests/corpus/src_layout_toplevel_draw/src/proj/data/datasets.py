from pathlib import Path

import torch
from torch.utils.data import Dataset


class ImageFolderLite(Dataset):
    def __init__(self, root, transform=None):
        self.files = sorted(Path(root).rglob("*.pt"))
        self.classes = sorted({f.parent.name for f in self.files})
        self.transform = transform

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        img = torch.load(self.files[i])
        if self.transform is not None:
            img = self.transform(img)
        return img, self.classes.index(self.files[i].parent.name)
