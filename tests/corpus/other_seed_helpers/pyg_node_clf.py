import torch
import torch.nn.functional as F
import torch_geometric
from torch_geometric.datasets import Planetoid
from torch_geometric.nn import GCNConv


class GCN(torch.nn.Module):
    def __init__(self, d_in, d_h, n_classes):
        super().__init__()
        self.conv1 = GCNConv(d_in, d_h)
        self.conv2 = GCNConv(d_h, n_classes)

    def forward(self, x, edge_index):
        x = F.dropout(x, p=0.5, training=self.training)
        x = F.relu(self.conv1(x, edge_index))
        x = F.dropout(x, p=0.5, training=self.training)
        return self.conv2(x, edge_index)


if __name__ == "__main__":
    torch_geometric.seed_everything(12345)
    data = Planetoid("data", "Cora")[0]
    perm = torch.randperm(data.num_nodes)
    model = GCN(data.num_features, 16, 7)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    for epoch in range(200):
        out = model(data.x, data.edge_index)
        loss = F.cross_entropy(out[perm[:140]], data.y[perm[:140]])
        opt.zero_grad()
        loss.backward()
        opt.step()
