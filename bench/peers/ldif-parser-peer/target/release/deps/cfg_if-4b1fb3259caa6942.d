/work/main/bench/peers/ldif-parser-peer/target/release/deps/cfg_if-4b1fb3259caa6942.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libcfg_if-4b1fb3259caa6942.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libcfg_if-4b1fb3259caa6942.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs:
