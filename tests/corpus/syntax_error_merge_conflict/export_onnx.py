import argparse

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--opset", type=int default=17)
parser.add_argument("--out", default="model.onnx")
args = parser.parse_args()
model = torch.load("model.pt").eval()
torch.onnx.export(model, torch.zeros(1, 3, 224, 224), args.out, opset_version=args.opset)
