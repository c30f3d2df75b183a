import argparse
import json
import random

import numpy as np


def word_dropout(tokens, p):
    return [t for t in tokens if random.random() > p]


def swap_adjacent(tokens, n_swaps):
    tokens = list(tokens)
    for _ in range(n_swaps):
        if len(tokens) < 2:
            break
        i = random.randrange(len(tokens) - 1)
        tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
    return tokens


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("infile")
    parser.add_argument("outfile")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    random.seed(args.seed)

    with open(args.infile) as f:
        rows = [json.loads(line) for line in f]
    order = np.random.permutation(len(rows))
    with open(args.outfile, "w") as f:
        for i in order:
            tokens = rows[i]["text"].split()
            n_swaps = int(np.random.poisson(1.0))
            tokens = swap_adjacent(word_dropout(tokens, 0.1), n_swaps)
            f.write(json.dumps({"text": " ".join(tokens), "label": rows[i]["label"]}) + "\n")


if __name__ == "__main__":
    main()
