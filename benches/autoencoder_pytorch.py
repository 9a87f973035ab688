"""The seed chapter's PyTorch TimeSeriesAnomalyEncoder doing one epoch of
the crate's `train` on the shapes of benches/autoencoder.rs (the seed's
own `fit` takes Adam steps on all 70 windows and validates nothing).

    python3 benches/autoencoder_pytorch.py THREADS

The module is the seed's, line for line (input projection, learned
positional encoding, nn.TransformerEncoder with 2 post-norm layers of width
64, 4 heads, feed-forward 256, dropout 0.1, reconstruction head). One epoch,
as the Rust bench times it: a full-batch forward, backward and optimiser
step on 56 windows of 60 steps x 5 features in training mode, then the
reconstruction loss of 14 validation windows without gradients. Random
inputs of the same shapes: the time does not depend on the values. Prints
{"threads": 1, "seconds_per_epoch": ...} (the median of 20 epochs after 3
warm-up epochs) and a line with the torch version.
"""

import json
import statistics
import sys
import time

import torch
from torch import nn


class TimeSeriesAnomalyEncoder(nn.Module):
    def __init__(self, input_dim=5, d_model=64, nhead=4, num_layers=2, seq_length=60, dropout=0.1):
        super().__init__()
        self.seq_length = seq_length
        self.d_model = d_model
        self.input_proj = nn.Linear(input_dim, d_model)
        self.pos_encoding = nn.Parameter(torch.randn(1, seq_length, d_model) * 0.1)
        encoder_layer = nn.TransformerEncoderLayer(
            d_model=d_model, nhead=nhead, dim_feedforward=d_model * 4, dropout=dropout, batch_first=True
        )
        self.transformer = nn.TransformerEncoder(encoder_layer, num_layers=num_layers)
        self.embedding_proj = nn.Linear(d_model, d_model)
        self.reconstruction_head = nn.Linear(d_model, input_dim)

    def reconstruct(self, x):
        x = self.input_proj(x)
        x = x + self.pos_encoding[:, : x.size(1)]
        encoded = self.transformer(x)
        return self.reconstruction_head(encoded)


def main() -> None:
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    torch.manual_seed(7)
    model = TimeSeriesAnomalyEncoder()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    train = torch.randn(56, 60, 5)
    validation = torch.randn(14, 60, 5)

    def epoch() -> None:
        model.train()
        optimizer.zero_grad()
        loss = nn.MSELoss()(model.reconstruct(train), train)
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            nn.MSELoss()(model.reconstruct(validation), validation).item()

    for _ in range(3):
        epoch()
    times = []
    for _ in range(20):
        started = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - started)
    print(json.dumps({"threads": threads, "seconds_per_epoch": statistics.median(times)}), flush=True)
    print(json.dumps({"torch": torch.__version__}))


if __name__ == "__main__":
    main()
