//! Baselines: faithful ports of other people's code, kept only to measure
//! against. Do not use them in production.

pub mod seed_port;
