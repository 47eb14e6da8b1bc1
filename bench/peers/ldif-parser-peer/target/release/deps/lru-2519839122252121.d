/work/main/bench/peers/ldif-parser-peer/target/release/deps/lru-2519839122252121.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lru-0.18.5/src/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/liblru-2519839122252121.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lru-0.18.5/src/lib.rs

/work/main/bench/peers/ldif-parser-peer/target/release/deps/liblru-2519839122252121.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lru-0.18.5/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lru-0.18.5/src/lib.rs:
