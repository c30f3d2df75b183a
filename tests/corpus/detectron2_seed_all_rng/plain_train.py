import numpy as np
import torch
from detectron2.config import get_cfg
from detectron2.modeling import build_model
from detectron2.utils.env import seed_all_rng


def subsample_annotations(annos, keep=0.5):
    idx = np.random.permutation(len(annos))
    return [annos[i] for i in idx[: int(keep * len(annos))]]


def main():
    cfg = get_cfg()
    cfg.merge_from_file("configs/mask_rcnn_R_50_FPN_1x.yaml")
    seed_all_rng()
    model = build_model(cfg)
    annos = torch.load("annotations.pt")
    annos = subsample_annotations(annos)
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.SOLVER.BASE_LR, momentum=0.9)
    for batch in [annos[i : i + 2] for i in range(0, len(annos), 2)]:
        losses = sum(model(batch).values())
        optimizer.zero_grad()
        losses.backward()
        optimizer.step()


if __name__ == "__main__":
    main()
