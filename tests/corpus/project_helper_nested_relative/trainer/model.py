import torch
import torch.nn as nn
import torch.nn.functional as F


class TextCNN(nn.Module):
    def __init__(self, vocab, d=128, n_classes=2, p=0.5):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.convs = nn.ModuleList([nn.Conv1d(d, 100, k) for k in (3, 4, 5)])
        self.fc = nn.Linear(300, n_classes)
        self.p = p
        nn.init.uniform_(self.emb.weight, -0.25, 0.25)

    def forward(self, ids):
        x = self.emb(ids).transpose(1, 2)
        x = torch.cat([F.relu(c(x)).amax(-1) for c in self.convs], dim=1)
        return self.fc(F.dropout(x, self.p, self.training))
