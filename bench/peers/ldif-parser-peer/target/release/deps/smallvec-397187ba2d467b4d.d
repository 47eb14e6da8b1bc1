/work/main/bench/peers/ldif-parser-peer/target/release/deps/smallvec-397187ba2d467b4d.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libsmallvec-397187ba2d467b4d.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/libsmallvec-397187ba2d467b4d.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs:
