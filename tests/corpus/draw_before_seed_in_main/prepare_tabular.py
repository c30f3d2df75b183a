import argparse

import numpy as np
import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--val-frac", type=float, default=0.1)
    args = parser.parse_args()

    df = pd.read_csv(args.csv)
    n = len(df)
    val_idx = np.random.choice(n, int(n * args.val_frac), replace=False)
    np.random.seed(args.seed)
    mask = np.zeros(n, dtype=bool)
    mask[val_idx] = True
    train_df, val_df = df[~mask], df[mask]
    noise = np.random.normal(0.0, 0.01, size=(len(train_df), 1))
    train_df = train_df.assign(target=train_df["target"] + noise[:, 0])
    train_df.to_parquet("train.parquet")
    val_df.to_parquet("val.parquet")


if __name__ == "__main__":
    main()
