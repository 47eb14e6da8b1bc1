//! Writes a synthetic export with a known answer.
//!
//! ```text
//! cargo run --release --example gen_export -- [--style unwrapped|ldifde|ldapsearch]
//!     [--servers N] [--connectors N] [--size BYTES[K|M|G]] [--seed N] [--answer FILE] OUT
//! ```
//! The answer (server → Send connectors) is written as JSON to `--answer`.

use std::fs::File;
use std::io::BufWriter;

use clap::{Parser, ValueEnum};
use exconn::synth::{generate, Spec, Style};

#[derive(Clone, Copy, ValueEnum)]
enum StyleArg {
    Unwrapped,
    Ldifde,
    Ldapsearch,
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum, default_value = "unwrapped")]
    style: StyleArg,
    #[arg(long, default_value_t = 12)]
    servers: usize,
    #[arg(long, default_value_t = 40)]
    connectors: usize,
    /// Pad the export with unrelated bulky objects up to this size (e.g. 1G).
    #[arg(long, default_value = "0")]
    size: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the expected answer as JSON.
    #[arg(long)]
    answer: Option<String>,
    out: String,
}

fn parse_size(text: &str) -> u64 {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = number
        .parse()
        .expect("size is a number with an optional K, M or G");
    number
        * match unit.to_ascii_uppercase().as_str() {
            "" => 1,
            "K" => 1 << 10,
            "M" => 1 << 20,
            "G" => 1 << 30,
            other => panic!("unknown size unit {other}"),
        }
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let spec = Spec {
        servers: args.servers,
        connectors: args.connectors,
        target_bytes: parse_size(&args.size),
        seed: args.seed,
        style: match args.style {
            StyleArg::Unwrapped => Style::Unwrapped,
            StyleArg::Ldifde => Style::Ldifde,
            StyleArg::Ldapsearch => Style::Ldapsearch,
        },
    };
    let answer = generate(
        &spec,
        BufWriter::with_capacity(1 << 20, File::create(&args.out)?),
    )?;
    if let Some(path) = args.answer {
        let json = serde_json::json!({
            "sources": answer.sources,
            "in_export": answer.in_export,
            "without_source": answer.without_source,
            "connectors": answer.connectors.len(),
            "records": answer.records,
        });
        std::fs::write(path, serde_json::to_string_pretty(&json)?)?;
    }
    Ok(())
}
