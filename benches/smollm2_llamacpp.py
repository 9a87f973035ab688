"""llama.cpp (llama-cpp-python) on the GGUF and prompt of benches/smollm2.rs.

    python3 benches/smollm2_llamacpp.py GGUF PROMPT_TOKENS_JSON THREADS

PROMPT_TOKENS_JSON holds the prompt's token ids as a JSON array (the Rust
bench writes it), so both sides process the same tokens. Prints one JSON
line {"threads": T, "prompt_tokens_per_s": ..., "generate_tokens_per_s": ...}
(the best of three runs after a warm-up, each a fresh context) and one line
with the versions. Generation is greedy, 64 tokens with no stop token, timed
after the prompt, as in the Rust bench. `cargo xtask bench smollm2` runs it
(`pip install llama-cpp-python==0.3.36`; the xtask says when it cannot).
"""

import json
import sys
import time

import llama_cpp
import numpy as np

GENERATED_TOKENS = 64


def one_run(llm: "llama_cpp.Llama", prompt: list) -> tuple:
    llm.reset()
    started = time.perf_counter()
    llm.eval(prompt)
    prompt_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(GENERATED_TOKENS):
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        llm.eval([token])
    generate_seconds = time.perf_counter() - started
    return len(prompt) / prompt_seconds, GENERATED_TOKENS / generate_seconds


def main() -> None:
    gguf, tokens_file, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(tokens_file, encoding="utf-8") as f:
        prompt = json.load(f)
    llm = llama_cpp.Llama(
        model_path=gguf,
        n_ctx=2048,
        n_batch=512,
        n_threads=threads,
        n_threads_batch=threads,
        logits_all=False,
        verbose=False,
    )
    one_run(llm, prompt)
    runs = [one_run(llm, prompt) for _ in range(3)]
    print(
        json.dumps(
            {
                "threads": threads,
                "prompt_tokens_per_s": max(r[0] for r in runs),
                "generate_tokens_per_s": max(r[1] for r in runs),
            }
        ),
        flush=True,
    )
    print(json.dumps({"llama_cpp_python": llama_cpp.__version__}))


if __name__ == "__main__":
    main()
