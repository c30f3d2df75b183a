import json
import random
from pathlib import Path


def build_vocab(words, size=30000, n_reserved=4):
    words = sorted(set(words))
    random.shuffle(words)
    itos = ["<pad>", "<unk>", "<bos>", "<eos>"][:n_reserved] + words[: size - n_reserved]
    return {w: i for i, w in enumerate(itos)}


WORDS = json.loads(Path("words.json").read_text())
VOCAB = build_vocab(WORDS)
