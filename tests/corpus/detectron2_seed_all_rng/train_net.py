import numpy as np
import torch
from detectron2.config import get_cfg
from detectron2.modeling import build_model
from detectron2.utils import comm
from detectron2.utils.env import seed_all_rng


def jitter_boxes(boxes, scale=0.05):
    wh = boxes[:, 2:] - boxes[:, :2]
    offsets = torch.randn(boxes.shape[0], 4) * scale * wh.repeat(1, 2)
    return boxes + offsets


def main():
    cfg = get_cfg()
    cfg.merge_from_file("configs/retinanet_R_50_FPN_1x.yaml")
    seed_all_rng(cfg.SEED + comm.get_rank())
    model = build_model(cfg)
    annos = torch.load("annotations.pt")
    order = np.random.permutation(len(annos))
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.SOLVER.BASE_LR, momentum=0.9)
    for i in order:
        sample = dict(annos[i])
        sample["boxes"] = jitter_boxes(sample["boxes"])
        losses = sum(model([sample]).values())
        optimizer.zero_grad()
        losses.backward()
        optimizer.step()


if __name__ == "__main__":
    main()
