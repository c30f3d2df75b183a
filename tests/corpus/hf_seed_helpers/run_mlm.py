import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer, HfArgumentParser, TrainingArguments, set_seed

from collator import mask_tokens


def main():
    parser = HfArgumentParser(TrainingArguments)
    (training_args,) = parser.parse_args_into_dataclasses()
    set_seed(training_args.seed)
    tok = AutoTokenizer.from_pretrained("bert-base-uncased")
    model = AutoModelForMaskedLM.from_pretrained("bert-base-uncased")
    batch = tok(open("corpus.txt").read().splitlines()[:32], return_tensors="pt", padding=True, truncation=True)
    inputs, labels = mask_tokens(batch["input_ids"], tok.vocab_size, tok.mask_token_id)
    loss = model(input_ids=inputs, attention_mask=batch["attention_mask"], labels=labels).loss
    loss.backward()
    torch.save(model.state_dict(), "mlm.pt")


if __name__ == "__main__":
    main()
