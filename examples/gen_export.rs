//! Writes a synthetic export with a known answer.
//!
//! ```text
//! cargo run --release --example gen_export -- [--style unwrapped|unwrapped-crlf|ldifde|ldapsearch]
//!     [--format ldif|dsml|clixml|csvde|adexplorer] [--utf16] [--servers N] [--connectors N]
//!     [--size BYTES[K|M|G]] [--seed N] [--answer FILE] OUT
//! ```
//! The answer (server → Send connectors) is written as JSON to `--answer`.
//! DSML and CLIXML are converted from the LDIF, batch by batch; csvde
//! while the LDIF is generated (no intermediate file).

use std::fs::File;
use std::io::{BufWriter, Write};

use clap::{Parser, ValueEnum};
use exconn::input::{self, ReadOptions};
use exconn_synth::csvde::{CsvdeWriter, LdifRecords, GENERATED_ATTRIBUTES};
use exconn_synth::{generate, Spec, Style, Utf16Writer, XmlFormat, XmlWriter};

#[derive(Clone, Copy, ValueEnum)]
enum StyleArg {
    Unwrapped,
    UnwrappedCrlf,
    Ldifde,
    Ldapsearch,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Ldif,
    Dsml,
    Clixml,
    /// `csvde -f` (CRLF; with `--utf16`, `csvde -u`).
    Csvde,
    /// An AD Explorer snapshot (`.dat`), built in memory from the LDIF.
    Adexplorer,
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum, default_value = "unwrapped")]
    style: StyleArg,
    #[arg(long, value_enum, default_value = "ldif")]
    format: FormatArg,
    /// Write UTF-16LE with a byte-order mark.
    #[arg(long)]
    utf16: bool,
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

fn output(path: &str, utf16: bool) -> std::io::Result<Box<dyn Write>> {
    let file = BufWriter::with_capacity(1 << 20, File::create(path)?);
    Ok(if utf16 {
        Box::new(Utf16Writer::new(file))
    } else {
        Box::new(file)
    })
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
            StyleArg::UnwrappedCrlf => Style::UnwrappedCrlf,
            StyleArg::Ldifde => Style::Ldifde,
            StyleArg::Ldapsearch => Style::Ldapsearch,
        },
    };
    let answer = if args.format == FormatArg::Ldif {
        let mut out = output(&args.out, args.utf16)?;
        let answer = generate(&spec, &mut out)?;
        out.flush()?;
        answer
    } else if args.format == FormatArg::Csvde {
        let columns = GENERATED_ATTRIBUTES.iter().map(|&n| n.to_owned()).collect();
        let mut writer = CsvdeWriter::new(output(&args.out, args.utf16)?, columns)?;
        let mut ldif = LdifRecords::new(|records| writer.records(&records));
        let answer = generate(&spec, &mut ldif)?;
        ldif.finish()?;
        writer.finish()?.flush()?;
        answer
    } else {
        // Generate the LDIF first (smaller, since XML is verbose), then convert it.
        let ldif_path = format!("{}.tmp.ldif", args.out);
        let answer = generate(
            &spec,
            BufWriter::with_capacity(1 << 20, File::create(&ldif_path)?),
        )?;
        if args.format == FormatArg::Adexplorer {
            let mut records = Vec::new();
            input::read(
                &ldif_path,
                &ReadOptions::default(),
                |window| (window, Vec::new()),
                |mut window| {
                    records.append(&mut window);
                    Ok(())
                },
            )
            .map_err(std::io::Error::other)?;
            let (bytes, _) = exconn_synth::snapshot::Snapshot::from_records(&records).write();
            std::fs::write(&args.out, bytes)?;
        } else {
            let format = if args.format == FormatArg::Dsml {
                XmlFormat::Dsml
            } else {
                XmlFormat::Clixml
            };
            let mut writer = XmlWriter::new(output(&args.out, args.utf16)?, format)?;
            input::read(
                &ldif_path,
                &ReadOptions::default(),
                |records| (records, Vec::new()),
                |records| writer.records(&records),
            )
            .map_err(std::io::Error::other)?;
            writer.finish()?;
        }
        std::fs::remove_file(&ldif_path)?;
        answer
    };
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
