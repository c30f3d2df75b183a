import pandas as pd
from datasets import concatenate_datasets, load_dataset
from sklearn.model_selection import KFold, train_test_split


def main():
    ds = load_dataset("json", data_files="sft.jsonl", split="train")
    ds = ds.shuffle(seed=42)
    extra = pd.read_csv("extra.csv").sample(frac=1.0, random_state=0)
    splits = ds.train_test_split(test_size=0.05, seed=42)
    stream = load_dataset("c4", "en", split="train", streaming=True).shuffle(buffer_size=10_000, seed=0)
    pretrain_mix = list(stream.take(1000))
    texts = list(extra["text"])
    tr_texts, te_texts = train_test_split(texts, test_size=0.2, random_state=0)
    folds = list(KFold(n_splits=5, shuffle=True, random_state=0).split(tr_texts))
    train = concatenate_datasets([splits["train"]]).select(range(min(50_000, len(splits["train"]))))
    train.to_json("train.jsonl")
    splits["test"].to_json("test.jsonl")
    print(len(pretrain_mix), len(te_texts), len(folds))


if __name__ == "__main__":
    main()
