/work/main/bench/peers/ldif-parser-peer/target/release/deps/ldif_parser-34f7dac9c8e2e56b.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ldif-parser-0.3.2/src/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libldif_parser-34f7dac9c8e2e56b.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ldif-parser-0.3.2/src/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libldif_parser-34f7dac9c8e2e56b.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ldif-parser-0.3.2/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ldif-parser-0.3.2/src/lib.rs:
