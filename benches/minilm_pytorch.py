"""PyTorch sentence-transformers on the headlines of benches/minilm.rs.

    python3 benches/minilm_pytorch.py MODEL_DIR HEADLINES_FILE THREADS

MODEL_DIR is the model folder `cargo xtask models` installed (it loads
directly); HEADLINES_FILE has one headline per line. Prints one JSON line
per batch size: {"batch": 32, "threads": 1, "sentences_per_s": ...},
the best of three runs after a warm-up, as the Rust bench's throughput.
`cargo xtask bench --only minilm` runs it (`pip install
sentence-transformers`; the xtask says when it cannot).
"""

import json
import sys
import time

import torch
from sentence_transformers import SentenceTransformer


def main() -> None:
    model_dir, headlines_file, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(threads)
    with open(headlines_file, encoding="utf-8") as f:
        texts = f.read().split("\n")
    model = SentenceTransformer(model_dir, device="cpu")
    for batch in (32, 64):
        model.encode(texts[:batch], batch_size=batch)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            model.encode(texts, batch_size=batch)
            best = min(best, time.perf_counter() - started)
        print(json.dumps({"batch": batch, "threads": threads, "sentences_per_s": len(texts) / best}), flush=True)
    print(json.dumps({"torch": torch.__version__, "sentence_transformers": __import__("sentence_transformers").__version__}))


if __name__ == "__main__":
    main()
