//! The four variants of the book. They share `book.toml`; a variant is chosen
//! with mdBook's `MDBOOK_BOOK__*` environment overrides and its own build dir.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Variant {
    /// Folder name under `book/` and under `target/book/`.
    pub id: &'static str,
    /// `book.language` (the `lang` attribute of the pages).
    pub language: &'static str,
    /// `book.title`.
    pub title: &'static str,
    /// Name shown in the language menu and on the landing page.
    pub label: &'static str,
}

pub const VARIANTS: &[Variant] = &[
    Variant { id: "en", language: "en", title: "LLM Anomaly Detection in Financial Markets", label: "English" },
    Variant {
        id: "ru",
        language: "ru",
        title: "Обнаружение аномалий с помощью LLM на финансовых рынках",
        label: "Русский",
    },
    Variant {
        id: "en-simple",
        language: "en",
        title: "LLM Anomaly Detection in Financial Markets — Simple Edition",
        label: "Simple English",
    },
    Variant {
        id: "ru-simple",
        language: "ru",
        title: "Обнаружение аномалий с помощью LLM на финансовых рынках — простым языком",
        label: "Русский (просто)",
    },
];

/// Where the sources of every variant live, relative to the repository root.
pub const BOOK_DIR: &str = "book";

impl Variant {
    pub fn find(id: &str) -> Option<&'static Variant> {
        VARIANTS.iter().find(|v| v.id == id)
    }

    /// `book/<id>`, relative to the repository root.
    pub fn src_dir(&self) -> PathBuf {
        Path::new(BOOK_DIR).join(self.id)
    }

    /// `target/book/<id>` (absolute when CARGO_TARGET_DIR is).
    pub fn out_dir(&self) -> PathBuf {
        site_dir().join(self.id)
    }

    /// Points an `mdbook` command at this variant.
    pub fn configure(&self, cmd: &mut Command) {
        cmd.env("MDBOOK_BOOK__SRC", self.src_dir())
            .env("MDBOOK_BOOK__LANGUAGE", self.language)
            .env("MDBOOK_BOOK__TITLE", self.title);
    }
}

/// `target/book`: the built site (landing page + one folder per variant).
pub fn site_dir() -> PathBuf {
    crate::process::target_dir().join("book")
}
